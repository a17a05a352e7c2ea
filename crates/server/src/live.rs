//! Live fan-out: the pipeline publishes batches of positions (as they arrive,
//! before the reorder window) and events; each WebSocket client filters them
//! by what it may read, its area and the types it asked for.
//!
//! The hub is a bounded broadcast ring. Publishing never waits: a client
//! that falls behind loses the oldest batches (counted, and told how many),
//! which downsamples it; one whose socket stays blocked is disconnected.
//! Ingest is never slowed by a client.
//!
//! Restricted audiences do not get the live detectors' events (those are
//! derived from everything); they get events derived from what they may read
//! ([`crate::Products::events`]), new ones pushed as they appear.

use std::collections::{BTreeSet, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::reader::{ApiError, Reader, authenticate};
use crate::{App, Audience, Metrics};

/// One position as it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct LivePosition {
    /// MMSI.
    pub mmsi: u32,
    /// Receive time of the report, ms.
    pub time_ms: i64,
    /// When the server read the sentence, ms (for latency).
    pub arrival_ms: i64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog: Option<f32>,
    /// Course over ground, degrees.
    pub cog: Option<f32>,
    /// Heading, degrees.
    pub heading: Option<u16>,
    /// Source id (its label decides who sees it).
    pub source: u32,
}

impl LivePosition {
    fn json(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{{\"mmsi\":{},\"t\":{},\"rx\":{},\"lat\":", self.mmsi, self.time_ms, self.arrival_ms);
        fixed(out, self.lat, 6);
        out.push_str(",\"lon\":");
        fixed(out, self.lon, 6);
        for (k, v) in [(",\"sog\":", self.sog), (",\"cog\":", self.cog)] {
            out.push_str(k);
            match v {
                Some(v) => fixed(out, v as f64, 1),
                None => out.push_str("null"),
            }
        }
        match self.heading {
            Some(h) => {
                let _ = write!(out, ",\"hdg\":{h}");
            }
            None => out.push_str(",\"hdg\":null"),
        }
        let _ = write!(out, ",\"src\":{}}}", self.source);
    }
}

/// `v` with `decimals` decimals, through integers (float formatting is the
/// slow part of a frame).
fn fixed(out: &mut String, v: f64, decimals: u32) {
    use std::fmt::Write;
    let scale = 10i64.pow(decimals);
    let n = (v * scale as f64).round() as i64;
    if n < 0 {
        out.push('-');
    }
    let (int, frac) = (n.unsigned_abs() / scale as u64, n.unsigned_abs() % scale as u64);
    let _ = write!(out, "{int}.{frac:0width$}", width = decimals as usize);
}

/// One live event, rendered once for every client.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    /// Contract JSON (with label and marking).
    pub json: String,
    /// Event type name.
    pub kind: String,
    /// Where.
    pub lat: f64,
    /// Where.
    pub lon: f64,
}

impl LiveEvent {
    /// An event from its contract JSON.
    pub fn new(value: &Value) -> LiveEvent {
        LiveEvent {
            json: value.to_string(),
            kind: value.get("type").and_then(Value::as_str).unwrap_or("").to_string(),
            lat: value.get("lat").and_then(Value::as_f64).unwrap_or(f64::NAN),
            lon: value.get("lon").and_then(Value::as_f64).unwrap_or(f64::NAN),
        }
    }
}

/// The most events one frame carries; the rest of a burst (every vessel of a new
/// feed raising an identity event at once) is counted in the frame's `omitted`,
/// for the client to fetch from `/api/events`. Measured under `bench serve`: a
/// burst of 50,000 events sent whole to 20 clients held positions up for 9 s.
pub const MAX_EVENTS_PER_FRAME: usize = 2_000;

/// What the hub carries.
#[derive(Debug, Clone)]
pub enum LiveItem {
    /// Positions of one pipeline batch.
    Positions(Arc<PositionBatch>),
    /// Events of the live detectors (derived from every source).
    Events(Arc<EventBatch>),
}

/// The items of one batch, and their frame for clients that take them all
/// (rendered once, by the first such client, shared by the rest).
#[derive(Debug)]
pub struct Batch<T> {
    items: Vec<T>,
    whole: std::sync::OnceLock<Utf8Bytes>,
}

/// The positions of one pipeline batch.
pub type PositionBatch = Batch<LivePosition>;
/// The events of one flush.
pub type EventBatch = Batch<LiveEvent>;

impl<T> Batch<T> {
    fn new(items: Vec<T>) -> Batch<T> {
        Batch { items, whole: Default::default() }
    }

    /// The frame of every item, rendered by `render` on first use; None when empty.
    fn whole(&self, render: impl FnOnce(&[T], &mut String) -> bool) -> Option<Utf8Bytes> {
        if self.items.is_empty() {
            return None;
        }
        let whole = self.whole.get_or_init(|| {
            let mut s = String::new();
            render(&self.items, &mut s);
            Utf8Bytes::from(s)
        });
        Some(whole.clone())
    }
}

/// The broadcast ring between the pipeline and the clients.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveItem>,
    metrics: Arc<Metrics>,
}

impl Hub {
    /// A hub keeping the latest `capacity` batches for slow clients.
    pub fn new(capacity: usize, metrics: Arc<Metrics>) -> Hub {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Hub { tx, metrics }
    }

    /// Publishes positions; never blocks.
    pub fn positions(&self, batch: Vec<LivePosition>) {
        if batch.is_empty() {
            return;
        }
        self.metrics.live_published.add(batch.len() as u64);
        let _ = self.tx.send(LiveItem::Positions(Arc::new(Batch::new(batch))));
        self.metrics.live_queue.set(self.tx.len() as i64);
    }

    /// Publishes events; never blocks.
    pub fn events(&self, batch: Vec<LiveEvent>) {
        if batch.is_empty() {
            return;
        }
        self.metrics.live_published.add(batch.len() as u64);
        let _ = self.tx.send(LiveItem::Events(Arc::new(Batch::new(batch))));
    }

    /// Is any live client connected? (With none, the pipeline skips building batches.)
    pub fn has_clients(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveItem> {
        self.tx.subscribe()
    }
}

/// What a client asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// West, south, east, north (east < west crosses the antimeridian).
    pub bbox: Option<[f64; 4]>,
    /// Send positions.
    pub positions: bool,
    /// Event types wanted (`None`: all).
    pub events: Option<HashSet<String>>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter { bbox: None, positions: true, events: None }
    }
}

impl Filter {
    /// From query parameters `bbox=W,S,E,N` and `types=positions,events` or
    /// `types=positions,gap,encounter` (event type names).
    pub fn parse(bbox: Option<&str>, types: Option<&str>) -> Result<Filter, String> {
        let mut f = Filter::default();
        if let Some(b) = bbox.filter(|b| !b.is_empty()) {
            let v: Vec<f64> = b
                .split(',')
                .map(|x| x.trim().parse::<f64>().map_err(|_| format!("bbox {b:?}: {x:?} is not a number")))
                .collect::<Result<_, _>>()?;
            let [w, s, e, n] = v[..] else { return Err(format!("bbox {b:?}: give west,south,east,north")) };
            if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s > n {
                return Err(format!("bbox {b:?}: latitudes out of range or south > north"));
            }
            f.bbox = Some([w, s, e, n]);
        }
        if let Some(t) = types.filter(|t| !t.is_empty()) {
            f.positions = false;
            let mut events = HashSet::new();
            let mut all_events = false;
            for x in t.split(',').map(str::trim) {
                match x {
                    "positions" => f.positions = true,
                    "events" => all_events = true,
                    k if sealane_core::EventKind::from_name(k).is_some() => {
                        events.insert(k.to_string());
                    }
                    k => return Err(format!("types: {k:?} is not positions, events or an event type")),
                }
            }
            f.events = if all_events { None } else { Some(events) };
        }
        Ok(f)
    }

    fn inside(&self, lat: f64, lon: f64) -> bool {
        match self.bbox {
            None => true,
            Some([w, s, e, n]) => {
                lat >= s && lat <= n && if w <= e { lon >= w && lon <= e } else { lon >= w || lon <= e }
            }
        }
    }

    fn wants_event(&self, kind: &str) -> bool {
        self.events.as_ref().is_none_or(|k| k.contains(kind))
    }
}

/// Query of `/api/live`.
#[derive(Debug, serde::Deserialize, Default)]
pub struct LiveQuery {
    bbox: Option<String>,
    types: Option<String>,
}

/// `GET /api/live`: the WebSocket upgrade.
pub async fn live(
    State(app): State<Arc<App>>,
    reader: Reader,
    axum::extract::Query(q): axum::extract::Query<LiveQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let filter = Filter::parse(q.bbox.as_deref(), q.types.as_deref()).map_err(ApiError::bad_request)?;
    let Reader { mut access, audience, token } = reader;
    let detail = format!("{{\"bbox\":{:?},\"types\":{:?}}}", q.bbox, q.types);
    crate::reader::blocking(move || access.audit("subscribe", "live", &detail).map_err(ApiError::from)).await?;
    Ok(ws.on_upgrade(move |socket| client(app, socket, audience, filter, token, peer)))
}

/// How often a connected client's token and audience are checked again
/// (expiry, revocation, retraction take effect within this).
const RECHECK: Duration = Duration::from_secs(5);
/// A client whose socket takes longer than this to accept a frame is dropped.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

async fn client(
    app: Arc<App>,
    socket: WebSocket,
    mut audience: Audience,
    mut filter: Filter,
    token: Option<String>,
    peer: SocketAddr,
) {
    app.metrics.live_clients.add(1);
    let (mut tx, mut rx) = socket.split();
    let mut hub = app.hub.subscribe();
    let mut recheck = tokio::time::interval(RECHECK);
    let mut seen_events: HashSet<String> = HashSet::new();
    let mut first_derivation = true;
    let mut buf = String::with_capacity(64 * 1024);
    loop {
        let frame: Option<Utf8Bytes> = tokio::select! {
            item = hub.recv() => match item {
                Ok(LiveItem::Positions(batch)) => positions_frame(&batch, &audience, &filter, &mut buf),
                Ok(LiveItem::Events(batch)) if audience.readable.is_none() => events_frame(&batch, &filter, &mut buf),
                Ok(LiveItem::Events(_)) => None,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    app.metrics.live_dropped.add(n);
                    Some(Utf8Bytes::from(format!("{{\"type\":\"dropped\",\"batches\":{n}}}")))
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<Value>(t.as_str()) {
                    Ok(v) => {
                        let bbox = v.get("bbox").and_then(Value::as_str);
                        let types = v.get("types").and_then(Value::as_str);
                        match Filter::parse(bbox, types) {
                            Ok(f) => { filter = f; None }
                            Err(e) => Some(Utf8Bytes::from(serde_json::json!({"type": "error", "error": e}).to_string())),
                        }
                    }
                    Err(e) => Some(Utf8Bytes::from(serde_json::json!({"type": "error", "error": format!("not JSON: {e}")}).to_string())),
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => None,
            },
            _ = recheck.tick() => {
                // Token still valid? Audience unchanged (retractions, releases)?
                let app2 = app.clone();
                let t = token.clone();
                let checked = tokio::task::spawn_blocking(move || {
                    let r = authenticate(&app2, t.as_deref(), Some(peer))?;
                    let derived = if r.audience.readable.is_some() {
                        Some(app2.products.events(&r.audience).map_err(ApiError::from)?)
                    } else {
                        None
                    };
                    Ok::<_, ApiError>((r.audience, derived))
                }).await;
                match checked {
                    Ok(Ok((a, derived))) => {
                        audience = a;
                        derived.and_then(|events| {
                            let fresh: Vec<&Value> = events
                                .iter()
                                .filter(|e| {
                                    let id = e.get("id").and_then(Value::as_str).unwrap_or("");
                                    seen_events.insert(id.to_string())
                                })
                                .collect();
                            let send = !first_derivation && !fresh.is_empty();
                            first_derivation = false;
                            let kept: Vec<&Value> = fresh
                                .into_iter()
                                .filter(|e| {
                                    let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
                                    let lat = e.get("lat").and_then(Value::as_f64).unwrap_or(f64::NAN);
                                    let lon = e.get("lon").and_then(Value::as_f64).unwrap_or(f64::NAN);
                                    filter.wants_event(kind) && (filter.bbox.is_none() || filter.inside(lat, lon))
                                })
                                .collect();
                            (send && !kept.is_empty()).then(|| Utf8Bytes::from(serde_json::json!({"type": "events", "items": kept}).to_string()))
                        })
                    }
                    _ => {
                        let _ = tx.send(Message::Close(None)).await;
                        break;
                    }
                }
            }
        };
        if let Some(f) = frame {
            match tokio::time::timeout(SEND_TIMEOUT, tx.send(Message::Text(f))).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(_) => {
                    app.metrics.live_clients_dropped.inc();
                    break;
                }
            }
        }
    }
    app.metrics.live_clients.add(-1);
}

fn positions_frame(batch: &PositionBatch, audience: &Audience, filter: &Filter, buf: &mut String) -> Option<Utf8Bytes> {
    if !filter.positions {
        return None;
    }
    let keep = |p: &LivePosition| {
        audience.readable.as_ref().is_none_or(|r: &BTreeSet<u32>| r.contains(&p.source)) && filter.inside(p.lat, p.lon)
    };
    if audience.readable.is_none() && filter.bbox.is_none() {
        return batch.whole(|items, s| render_positions(items, |_| true, s));
    }
    render_positions(&batch.items, keep, buf).then(|| Utf8Bytes::from(buf.clone()))
}

/// Writes a positions frame of the items `keep` accepts into `buf`; false when none is.
fn render_positions(items: &[LivePosition], keep: impl Fn(&LivePosition) -> bool, buf: &mut String) -> bool {
    buf.clear();
    buf.push_str("{\"type\":\"positions\",\"items\":[");
    let mut n = 0;
    for p in items.iter().filter(|p| keep(p)) {
        if n > 0 {
            buf.push(',');
        }
        p.json(buf);
        n += 1;
    }
    buf.push_str("]}");
    n > 0
}

fn events_frame(batch: &EventBatch, filter: &Filter, buf: &mut String) -> Option<Utf8Bytes> {
    if filter.bbox.is_none() && filter.events.is_none() {
        return batch.whole(|items, s| render_events(items, |_| true, s));
    }
    let keep = |e: &LiveEvent| filter.wants_event(&e.kind) && filter.inside(e.lat, e.lon);
    render_events(&batch.items, keep, buf).then(|| Utf8Bytes::from(buf.clone()))
}

/// Writes an events frame of the items `keep` accepts into `buf`, at most
/// [`MAX_EVENTS_PER_FRAME`] of them; false when none is.
fn render_events(items: &[LiveEvent], keep: impl Fn(&LiveEvent) -> bool, buf: &mut String) -> bool {
    buf.clear();
    buf.push_str("{\"type\":\"events\",\"items\":[");
    let (mut n, mut omitted) = (0usize, 0usize);
    for e in items.iter().filter(|e| keep(e)) {
        if n == MAX_EVENTS_PER_FRAME {
            omitted += 1;
            continue;
        }
        if n > 0 {
            buf.push(',');
        }
        buf.push_str(&e.json);
        n += 1;
    }
    buf.push(']');
    if omitted > 0 {
        use std::fmt::Write;
        let _ = write!(buf, ",\"omitted\":{omitted}");
    }
    buf.push('}');
    n > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_numbers_match_float_formatting() {
        for (v, d) in [(35.123456789, 6), (-0.0000004, 6), (-129.5, 6), (12.35, 1), (0.04, 1), (-0.06, 1), (359.96, 1)]
        {
            let mut s = String::new();
            fixed(&mut s, v, d);
            let parsed: f64 = s.parse().unwrap();
            assert!((parsed - v).abs() <= 0.5 / 10f64.powi(d as i32) + 1e-12, "{v} -> {s}");
            assert_eq!(s.split('.').nth(1).unwrap().len(), d as usize, "{s}");
        }
    }

    #[test]
    fn filters_parse_and_reject_with_the_input_named() {
        let f = Filter::parse(Some("170,-10,-170,10"), Some("positions,gap")).unwrap();
        assert!(f.inside(0.0, 175.0) && f.inside(0.0, -175.0) && !f.inside(0.0, 0.0));
        assert!(f.positions && f.wants_event("gap") && !f.wants_event("encounter"));
        let all = Filter::parse(None, Some("events")).unwrap();
        assert!(!all.positions && all.wants_event("encounter"));
        assert!(Filter::parse(Some("1,2,3"), None).unwrap_err().contains("west,south,east,north"));
        assert!(Filter::parse(Some("a,2,3,4"), None).unwrap_err().contains("\"a\""));
        assert!(Filter::parse(None, Some("ships")).unwrap_err().contains("\"ships\""));
    }

    #[test]
    fn event_frames_are_rendered_once_filtered_and_capped() {
        let ev = |k: usize, kind: &str, lon: f64| {
            LiveEvent::new(&serde_json::json!({"id": format!("e{k}"), "type": kind, "lat": 1.0, "lon": lon}))
        };
        let mut items: Vec<LiveEvent> =
            (0..MAX_EVENTS_PER_FRAME + 5).map(|k| ev(k, "invalid_identity", 10.0)).collect();
        items.push(ev(99_999, "gap", -10.0));
        let batch = Batch::new(items);
        let mut buf = String::new();
        let all = Filter::default();
        let a = events_frame(&batch, &all, &mut buf).unwrap();
        let b = events_frame(&batch, &all, &mut buf).unwrap();
        assert_eq!(a.as_str().as_ptr(), b.as_str().as_ptr(), "one rendering for every client taking all");
        let v: Value = serde_json::from_str(a.as_str()).unwrap();
        assert_eq!(v["type"], "events");
        assert_eq!(v["items"].as_array().unwrap().len(), MAX_EVENTS_PER_FRAME);
        assert_eq!(v["omitted"], 6);
        // A client's area and types choose among the events; under the cap nothing is omitted.
        let west = Filter::parse(Some("-20,-5,0,5"), Some("events")).unwrap();
        let v: Value = serde_json::from_str(events_frame(&batch, &west, &mut buf).unwrap().as_str()).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["id"], "e99999");
        assert!(v.get("omitted").is_none());
        let encounters = Filter::parse(None, Some("encounter")).unwrap();
        assert!(events_frame(&batch, &encounters, &mut buf).is_none());
    }

    #[test]
    fn restricted_audiences_get_only_readable_sources() {
        let p = |source| LivePosition {
            mmsi: 1,
            time_ms: 0,
            arrival_ms: 0,
            lat: 1.0,
            lon: 1.0,
            sog: None,
            cog: Some(12.34),
            heading: None,
            source,
        };
        let audience = Audience {
            subject: None,
            readable: Some([2u32].into_iter().collect()),
            policy: Arc::new(sealane_share::Policy::bilateral()),
        };
        let mut buf = String::new();
        let batch = |items| Batch::new(items);
        let f = positions_frame(&batch(vec![p(1), p(2)]), &audience, &Filter::default(), &mut buf).unwrap();
        let v: Value = serde_json::from_str(f.as_str()).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        assert_eq!(v["items"][0]["src"], 2);
        assert_eq!(v["items"][0]["cog"], 12.3);
        assert!(positions_frame(&batch(vec![p(1)]), &audience, &Filter::default(), &mut buf).is_none());
        // Readers of everything share one rendering.
        let everyone = Audience { readable: None, ..audience };
        let b = batch(vec![p(1), p(2)]);
        let a = positions_frame(&b, &everyone, &Filter::default(), &mut buf).unwrap();
        let c = positions_frame(&b, &everyone, &Filter::default(), &mut buf).unwrap();
        assert_eq!(a.as_str().as_ptr(), c.as_str().as_ptr());
        assert_eq!(serde_json::from_str::<Value>(a.as_str()).unwrap()["items"].as_array().unwrap().len(), 2);
    }
}
