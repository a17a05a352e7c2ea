//! Cleaning: duplicates merged, records released in time order.
//!
//! The same AIS message is often heard by several receivers (or delivered
//! twice by one feed); it is kept once, with every source in its provenance.
//! Records are held until the stream's time has moved `window_ms` past them,
//! so that what leaves is in time order as long as nothing arrives later
//! than that. Time here is the records' own time, not the wall clock, so a
//! file replays exactly as the live feed it was recorded from.

use std::collections::VecDeque;
use std::collections::hash_map::Entry;

use sealane_core::Observation;
use sealane_core::hash::FxHashMap;
pub use sealane_core::observation::Origin;

/// A record entering the cleaner.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The observation.
    pub obs: Observation,
    /// Duplicate key (see [`crate::Parsed::key`]).
    pub key: u64,
    /// Where it came from.
    pub origin: Origin,
}

/// A record leaving the cleaner, with the other reports of the same message.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The first report.
    pub record: Record,
    /// Later reports of the same message (other receivers or repeats).
    pub also: Vec<Origin>,
}

/// Cleaner settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanOptions {
    /// How long records are held for reordering, ms of record time.
    pub window_ms: i64,
    /// How far apart two reports of the same message may be and still be merged, ms.
    pub duplicate_ms: i64,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions { window_ms: 30_000, duplicate_ms: 30_000 }
    }
}

/// Counts kept by the cleaner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanStats {
    /// Records taken in.
    pub received: u64,
    /// Records released.
    pub released: u64,
    /// Duplicates merged into an earlier report.
    pub duplicates: u64,
    /// Duplicates of a report already released: counted and dropped.
    pub late_duplicates: u64,
    /// Records released after a later record (arrived later than the window allows).
    pub out_of_order: u64,
}

/// Duplicate and reorder windows.
///
/// Held records sit in a deque sorted by time: real streams are nearly in
/// order, so a record is almost always appended at the back and released
/// from the front, with no per-record allocation or tree rebalancing.
#[derive(Debug, Default)]
pub struct Cleaner {
    opts: CleanOptions,
    held: VecDeque<(i64, u64, Record)>,
    dups: FxHashMap<u64, Vec<Origin>>,
    keys: FxHashMap<u64, (u64, i64)>,
    key_order: VecDeque<(i64, u64)>,
    seq: u64,
    watermark: i64,
    last_released: i64,
    stats: CleanStats,
}

impl Cleaner {
    /// A cleaner with these windows.
    pub fn new(opts: CleanOptions) -> Self {
        Cleaner { opts, watermark: i64::MIN, last_released: i64::MIN, ..Cleaner::default() }
    }

    /// Counts so far.
    pub fn stats(&self) -> CleanStats {
        self.stats
    }

    /// Records held.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The smallest input line number still held (its records are not yet released).
    /// Linear in the records held; meant for commit time, not per record.
    pub fn oldest_held_line(&self) -> Option<u64> {
        self.held.iter().map(|(_, _, r)| r.origin.line).min()
    }

    /// Takes a record in; appends to `out` whatever the window now releases.
    pub fn push(&mut self, r: Record, out: &mut Vec<Cleaned>) {
        self.stats.received += 1;
        let t = r.obs.time_ms();
        // Is it a duplicate of a report seen within the duplicate window? One probe
        // answers that and, when it is not, keeps its key.
        let seq = self.seq + 1;
        match self.keys.entry(r.key) {
            Entry::Occupied(e) if (t - e.get().1).abs() <= self.opts.duplicate_ms => {
                let (first, first_t) = *e.get();
                if self.is_held(first_t, first) {
                    self.dups.entry(first).or_default().push(r.origin);
                    self.stats.duplicates += 1;
                } else {
                    self.stats.late_duplicates += 1;
                }
                return;
            }
            other => *other.or_insert((seq, t)) = (seq, t),
        }
        self.seq = seq;
        self.key_order.push_back((t, r.key));
        // Insert in time order, searching from the back (usually zero steps).
        let mut at = self.held.len();
        while at > 0 && self.held[at - 1].0 > t {
            at -= 1;
        }
        if at == self.held.len() {
            self.held.push_back((t, seq, r));
        } else {
            self.held.insert(at, (t, seq, r));
        }
        self.watermark = self.watermark.max(t);
        self.release(self.watermark.saturating_sub(self.opts.window_ms), out);
        let horizon = self.watermark.saturating_sub(self.opts.duplicate_ms.max(self.opts.window_ms));
        while let Some(&(kt, key)) = self.key_order.front() {
            if kt >= horizon {
                break;
            }
            self.key_order.pop_front();
            if let Entry::Occupied(e) = self.keys.entry(key) {
                if e.get().1 == kt {
                    e.remove();
                }
            }
        }
    }

    /// Whether report `seq` of time `t` is still held. Asked only of duplicates,
    /// so releasing, which is every record, need not touch the key map.
    fn is_held(&self, t: i64, seq: u64) -> bool {
        let from = self.held.partition_point(|h| h.0 < t);
        self.held.range(from..).take_while(|h| h.0 == t).any(|h| h.1 == seq)
    }

    fn release(&mut self, before: i64, out: &mut Vec<Cleaned>) {
        while self.held.front().is_some_and(|f| f.0 < before) {
            let Some((t, seq, record)) = self.held.pop_front() else { break };
            let also = if self.dups.is_empty() { Vec::new() } else { self.dups.remove(&seq).unwrap_or_default() };
            if t < self.last_released {
                self.stats.out_of_order += 1;
            }
            self.last_released = self.last_released.max(t);
            self.stats.released += 1;
            out.push(Cleaned { record, also });
        }
    }

    /// Releases everything held but keeps the duplicate window: for a feed gone
    /// quiet, which will not reorder what it already sent, while a copy of the
    /// same reports from another receiver may still come.
    pub fn release_held(&mut self, out: &mut Vec<Cleaned>) {
        self.release(i64::MAX, out);
    }

    /// Releases everything held (end of input).
    pub fn flush(&mut self, out: &mut Vec<Cleaned>) {
        self.release(i64::MAX, out);
        self.keys.clear();
        self.key_order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealane_core::{Position, TimeSource, VesselClass};

    fn rec(t: i64, key: u64, line: u64, source: u32) -> Record {
        Record {
            obs: Observation::Position(Position {
                mmsi: 1,
                time_ms: t,
                time_source: TimeSource::Column,
                lat: 0.0,
                lon: 0.0,
                sog: None,
                cog: None,
                heading: None,
                nav_status: None,
                rot: None,
                accuracy: false,
                class: VesselClass::A,
                msg_type: 1,
            }),
            key,
            origin: Origin { source, chunk: 1, index: line as u32, line },
        }
    }

    #[test]
    fn reorders_within_the_window() {
        let mut c = Cleaner::new(CleanOptions { window_ms: 10, duplicate_ms: 10 });
        let mut out = Vec::new();
        for (t, k) in [(5, 1), (1, 2), (3, 3), (30, 4), (12, 5), (50, 6), (25, 7)] {
            c.push(rec(t, k, k, 0), &mut out);
        }
        c.flush(&mut out);
        let times: Vec<i64> = out.iter().map(|c| c.record.obs.time_ms()).collect();
        // 12 came while 30 was still held, so it takes its place; 25 came after 30 had left.
        assert_eq!(times, vec![1, 3, 5, 12, 30, 25, 50]);
        assert_eq!(c.stats().out_of_order, 1);
    }

    #[test]
    fn merges_duplicates_with_their_sources() {
        let mut c = Cleaner::new(CleanOptions::default());
        let mut out = Vec::new();
        c.push(rec(100, 7, 1, 1), &mut out);
        c.push(rec(105, 7, 2, 2), &mut out);
        c.push(rec(100, 8, 3, 1), &mut out);
        assert_eq!(c.oldest_held_line(), Some(1));
        c.flush(&mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].also.len(), 1);
        assert_eq!(out[0].also[0].source, 2);
        assert_eq!(c.stats().duplicates, 1);
        assert_eq!(c.oldest_held_line(), None);
    }

    #[test]
    fn a_quiet_feed_releases_what_it_holds_and_still_knows_its_duplicates() {
        let mut c = Cleaner::new(CleanOptions { window_ms: 10_000, duplicate_ms: 10_000 });
        let mut out = Vec::new();
        c.push(rec(0, 1, 1, 1), &mut out);
        c.push(rec(5, 2, 2, 1), &mut out);
        assert!(out.is_empty() && c.held() == 2);
        c.release_held(&mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(c.held(), 0);
        // Another receiver's copy of a released report comes later: not stored twice.
        c.push(rec(5, 2, 3, 2), &mut out);
        c.release_held(&mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(c.stats().late_duplicates, 1);
    }

    #[test]
    fn duplicates_find_their_first_report_among_others_of_the_same_time() {
        let mut c = Cleaner::new(CleanOptions { window_ms: 10, duplicate_ms: 100 });
        let mut out = Vec::new();
        for (key, line) in [(1, 1), (2, 2), (3, 3)] {
            c.push(rec(0, key, line, 1), &mut out);
        }
        c.push(rec(0, 2, 4, 2), &mut out);
        c.push(rec(50, 9, 5, 1), &mut out);
        c.push(rec(50, 10, 6, 1), &mut out);
        // Key 2 was released with time 0: its next copy is late. Key 10 is still held.
        c.push(rec(0, 2, 7, 3), &mut out);
        c.push(rec(50, 10, 8, 2), &mut out);
        c.flush(&mut out);
        let also: Vec<(u64, Vec<u32>)> =
            out.iter().map(|c| (c.record.key, c.also.iter().map(|o| o.source).collect())).collect();
        assert_eq!(also, vec![(1, vec![]), (2, vec![2]), (3, vec![]), (9, vec![]), (10, vec![2])]);
        assert_eq!((c.stats().duplicates, c.stats().late_duplicates), (2, 1));
    }

    #[test]
    fn a_duplicate_after_release_is_counted_and_dropped() {
        let mut c = Cleaner::new(CleanOptions { window_ms: 10, duplicate_ms: 100 });
        let mut out = Vec::new();
        c.push(rec(0, 7, 1, 1), &mut out);
        c.push(rec(50, 9, 2, 1), &mut out);
        assert_eq!(out.len(), 1, "time 0 released once the stream reached 50");
        c.push(rec(20, 7, 3, 2), &mut out);
        assert_eq!(c.stats().late_duplicates, 1);
    }
}
