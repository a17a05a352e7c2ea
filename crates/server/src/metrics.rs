//! Counters and gauges for `/metrics`, in the Prometheus text exposition
//! format (version 0.0.4). Plain atomics: the pipeline thread bumps them
//! without locks, the scrape reads them.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    /// The count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Sets the value.
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }
    /// Adds `d` (may be negative).
    pub fn add(&self, d: i64) {
        self.0.fetch_add(d, Ordering::Relaxed);
    }
    /// The value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Observations received (before duplicates heard by several receivers are merged).
    pub messages: Counter,
    /// Positions received.
    pub positions: Counter,
    /// Identity reports received.
    pub identities: Counter,
    /// Events detected.
    pub events: Counter,
    /// Rejected lines by reason (decoder reason names).
    pub rejects: Mutex<std::collections::BTreeMap<String, u64>>,
    /// Milliseconds between a record's receive time and its hand-over to the detectors.
    pub pipeline_lag_ms: Gauge,
    /// Batches queued in the live hub for the slowest client.
    pub live_queue: Gauge,
    /// Items published to live clients.
    pub live_published: Counter,
    /// Live items skipped for clients that fell behind.
    pub live_dropped: Counter,
    /// Clients dropped for falling too far behind.
    pub live_clients_dropped: Counter,
    /// Connected WebSocket clients.
    pub live_clients: Gauge,
    /// HTTP requests answered.
    pub http_requests: Counter,
    /// Requests refused for want of a valid token.
    pub auth_failures: Counter,
}

impl Metrics {
    /// Adds the rejects of a batch.
    pub fn add_rejects<'a>(&self, by_reason: impl IntoIterator<Item = (&'a str, u64)>) {
        let mut m = self.rejects.lock().unwrap_or_else(|e| e.into_inner());
        for (k, v) in by_reason {
            *m.entry(k.to_string()).or_default() += v;
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(4096);
        let mut one = |name: &str, kind: &str, help: &str, v: String| {
            let _ = writeln!(s, "# HELP sealane_{name} {help}\n# TYPE sealane_{name} {kind}\nsealane_{name} {v}");
        };
        one(
            "observations_total",
            "counter",
            "Observations received, before duplicates are merged.",
            self.messages.get().to_string(),
        );
        one("positions_total", "counter", "Positions received.", self.positions.get().to_string());
        one("identities_total", "counter", "Identity reports received.", self.identities.get().to_string());
        one("events_total", "counter", "Behaviour events detected.", self.events.get().to_string());
        one(
            "pipeline_lag_milliseconds",
            "gauge",
            "Receive time to detector hand-over of the latest record.",
            self.pipeline_lag_ms.get().to_string(),
        );
        one(
            "live_queue_batches",
            "gauge",
            "Batches queued in the live hub for the slowest client.",
            self.live_queue.get().to_string(),
        );
        one(
            "live_published_total",
            "counter",
            "Items published to live clients.",
            self.live_published.get().to_string(),
        );
        one(
            "live_dropped_total",
            "counter",
            "Live items skipped for clients that fell behind.",
            self.live_dropped.get().to_string(),
        );
        one(
            "live_clients_dropped_total",
            "counter",
            "Live clients disconnected for falling too far behind.",
            self.live_clients_dropped.get().to_string(),
        );
        one("live_clients", "gauge", "Connected WebSocket clients.", self.live_clients.get().to_string());
        one("http_requests_total", "counter", "HTTP requests answered.", self.http_requests.get().to_string());
        one(
            "auth_failures_total",
            "counter",
            "Requests refused for want of a valid token.",
            self.auth_failures.get().to_string(),
        );
        let _ = writeln!(
            s,
            "# HELP sealane_rejected_lines_total Input lines rejected, by reason.\n# TYPE sealane_rejected_lines_total counter"
        );
        for (k, v) in self.rejects.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(s, "sealane_rejected_lines_total{{reason=\"{}\"}} {v}", k.replace(['"', '\\', '\n'], "_"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text_with_reasons() {
        let m = Metrics::default();
        m.positions.add(3);
        m.add_rejects([("bad_checksum", 2), ("bad_checksum", 1), ("a\"b", 1)]);
        let t = m.render();
        assert!(t.contains("# TYPE sealane_positions_total counter\nsealane_positions_total 3\n"), "{t}");
        assert!(t.contains("sealane_rejected_lines_total{reason=\"bad_checksum\"} 3\n"), "{t}");
        assert!(t.contains("sealane_rejected_lines_total{reason=\"a_b\"} 1\n"), "{t}");
        for line in t.lines().filter(|l| !l.starts_with('#')) {
            let (_, v) = line.rsplit_once(' ').expect("name value");
            v.parse::<f64>().expect("a number");
        }
    }
}
