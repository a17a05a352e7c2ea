//! Events under construction: what a detector knows before labels are combined.

use sealane_core::hash::FxHashMap;
use sealane_core::{Event, EventKind, Evidence, Label, LabelRules};
use sealane_track::{Fix, LabelId};
use serde_json::{Map, Value};

/// The distinct labels of the inputs an event was drawn from (usually one or two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet(Vec<LabelId>);

impl LabelSet {
    /// A set of one.
    pub fn of(l: LabelId) -> LabelSet {
        LabelSet(vec![l])
    }

    /// Adds a label.
    #[inline]
    pub fn add(&mut self, l: LabelId) {
        if !self.0.contains(&l) {
            self.0.push(l);
        }
    }

    /// Adds every label of another set.
    pub fn extend(&mut self, o: &LabelSet) {
        for &l in &o.0 {
            self.add(l);
        }
    }
}

/// The run's labels, by id, and their combinations.
#[derive(Debug, Clone)]
pub struct LabelTable {
    labels: Vec<Label>,
    rules: LabelRules,
    combined: FxHashMap<Vec<LabelId>, Label>,
}

impl LabelTable {
    /// A table of `labels` (id = position) combined by `rules`.
    pub fn new(labels: Vec<Label>, rules: LabelRules) -> LabelTable {
        LabelTable { labels, rules, combined: FxHashMap::default() }
    }

    /// Adds a label, returning its id (an existing id when already present).
    pub fn intern(&mut self, label: &Label) -> LabelId {
        if let Some(i) = self.labels.iter().position(|l| l == label) {
            return i as LabelId;
        }
        self.labels.push(label.clone());
        (self.labels.len() - 1) as LabelId
    }

    /// The combined label of a set (public AIS when the set is empty).
    pub fn combine(&mut self, set: &LabelSet) -> Label {
        let mut ids = set.0.clone();
        ids.sort_unstable();
        if let Some(l) = self.combined.get(&ids) {
            return l.clone();
        }
        let mut it = ids.iter().filter_map(|&i| self.labels.get(i as usize));
        let label = match it.next() {
            None => Label::public_ais(),
            Some(first) => it.fold(first.clone(), |acc, l| self.rules.combine(&acc, l)),
        };
        self.combined.insert(ids, label.clone());
        label
    }
}

/// Evidence from a fix.
pub fn evidence(mmsi: u32, f: &Fix) -> Evidence {
    Evidence { mmsi, time_ms: f.time_ms, lat_lon: Some((f.lat, f.lon)), origin: f.origin }
}

/// Keeps at most `cap` pieces of evidence: the first `cap - 1` and the latest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceSample {
    items: Vec<Evidence>,
}

impl EvidenceSample {
    /// Most pieces of evidence an event carries.
    pub const CAP: usize = 8;

    /// Adds a piece, replacing the last when full.
    pub fn push(&mut self, e: Evidence) {
        if self.items.len() < Self::CAP {
            self.items.push(e);
        } else {
            self.items[Self::CAP - 1] = e;
        }
    }

    /// Appends another sample (for merged events), keeping the bound.
    pub fn extend(&mut self, o: &EvidenceSample) {
        for e in &o.items {
            self.push(*e);
        }
    }

    /// The pieces.
    pub fn into_vec(self) -> Vec<Evidence> {
        self.items
    }
}

/// An event before its label is resolved.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Kind.
    pub kind: EventKind,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Vessels.
    pub mmsi: Vec<u32>,
    /// Representative position (NaN when unknown).
    pub lat: f64,
    /// Representative position (NaN when unknown).
    pub lon: f64,
    /// 0–1.
    pub confidence: f64,
    /// Kind-specific facts.
    pub details: Map<String, Value>,
    /// What raised it.
    pub evidence: Vec<Evidence>,
    /// Labels of every input it was drawn from.
    pub labels: LabelSet,
    /// Distinguishes events of one kind, vessel and start (zone name, list entry, profile).
    pub discriminator: String,
}

impl Draft {
    /// The finished event.
    pub fn finish(mut self, table: &mut LabelTable) -> Event {
        self.mmsi.sort_unstable();
        self.mmsi.dedup();
        Event {
            id: Event::make_id(self.kind, &self.mmsi, self.start_ms, &self.discriminator),
            kind: self.kind,
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            mmsi: self.mmsi,
            lat: self.lat,
            lon: self.lon,
            confidence: self.confidence.clamp(0.0, 1.0),
            label: table.combine(&self.labels),
            details: self.details,
            evidence: self.evidence,
        }
    }
}

/// Builds a `details` object: `details![ "a" => 1, "b" => "x" ]`.
#[macro_export]
macro_rules! details {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $( m.insert($k.to_string(), serde_json::json!($v)); )*
        m
    }};
}

/// Rounds for output: `round(x, 2)`.
pub fn round(x: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (x * k).round() / k
}
