//! # sealane-server
//!
//! Every exit of a running Sealane node: the HTTP API (JSON and GeoJSON, with
//! an OpenAPI document), OGC API - Features, live WebSocket streams, Prometheus
//! metrics and the embedded web app (the common operating picture).
//!
//! Every request but the health check and the app's static files is
//! authenticated ([`reader::Reader`]) and answered through [`access::Access`],
//! which asks the one policy decision point (`sealane_share::decide`) and
//! writes the audit log. The router is built from one table
//! ([`routes::ENDPOINTS`]), the same table the OpenAPI document lists, so a
//! test that walks the document reaches every endpoint.
//!
//! The server reads the store through read-only connections; the live
//! pipeline (owned by the `sealane` binary) writes it and publishes what
//! arrives to the [`live::Hub`], which never waits for a slow client.

pub mod access;
mod api;
mod assets;
pub mod live;
pub mod metrics;
mod ogc;
pub mod products;
pub mod reader;
pub mod routes;
mod userdata;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use sealane_share::Policy;
use sealane_share::oidc::OidcConfig;

pub use api::with_marking;
pub use live::{Hub, LiveItem};
pub use metrics::Metrics;
pub use products::{Audience, Products};

/// Everything a request handler may need.
pub struct App {
    /// The store file.
    pub store: PathBuf,
    /// The releasability policy.
    pub policy: Policy,
    /// OIDC bearer tokens, when configured (API tokens are always accepted).
    pub oidc: Option<OidcConfig>,
    /// Live fan-out of positions and events.
    pub hub: Hub,
    /// Counters for /metrics.
    pub metrics: Arc<Metrics>,
    /// Derived products per audience (events, fused detections).
    pub products: Arc<dyn Products>,
    /// Zones shipped with the detectors (GeoJSON features), shown read-only beside user zones.
    pub builtin_zones: serde_json::Value,
    /// The maritime route network (GeoJSON), for the map.
    pub lanes: Arc<String>,
}

/// Serves `app` on `listener` until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = routes::router(app);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
