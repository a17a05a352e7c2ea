//! # sealane-ingest
//!
//! Where observations come from. Sources give lines — files (plain, gzip,
//! zstd), standard input, a TCP feed Sealane connects to, TCP and UDP
//! listeners — and a [`Normaliser`] turns each line into observations: NMEA
//! through `sealane-ais`, CSV archives through their dialect ([`csv`]). The
//! [`clean::Cleaner`] then merges duplicates (the same message heard by
//! several receivers) and releases records in time order within a window.
//!
//! Nothing is dropped silently: every line is a message, a non-AIS line or a
//! rejection counted by reason in [`NormaliseStats`].
//!
//! It does not store anything (`sealane-store`) nor decide what a record is
//! releasable to (`sealane-share`); it carries each record's source so that
//! those can.
//!
//! ```
//! use sealane_ingest::{Format, Normaliser};
//! let mut n = Normaliser::new(Format::Auto, 0);
//! let mut out = Vec::new();
//! n.line(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", 0, &mut out).unwrap();
//! assert_eq!(out[0].obs.mmsi(), 371798000);
//! assert_eq!(n.stats().positions, 1);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clean;
pub mod csv;
pub mod input;
pub mod net;

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use sealane_core::hash::FxHasher;

use sealane_ais::{Decoder, Options};
use sealane_core::Observation;
use sealane_core::observe::observe;

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Recognise NMEA or a CSV header from the first lines.
    Auto,
    /// NMEA 0183 sentences (with tag blocks, `$PGHP`, receiver prefixes).
    Nmea,
    /// CSV; the dialect from the header unless given.
    Csv(Option<csv::Dialect>),
}

impl Format {
    /// Parses `auto`, `nmea`, `csv`, or a CSV dialect name (`marinecadastre`, `dma`, `aisdb-spire`, `kr-national`).
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "auto" => Ok(Format::Auto),
            "nmea" => Ok(Format::Nmea),
            "csv" => Ok(Format::Csv(None)),
            other => csv::Dialect::from_name(other).map(|d| Format::Csv(Some(d))).ok_or_else(|| {
                format!(
                    "unknown format {other:?} (expected auto, nmea, csv, marinecadastre, dma, aisdb-spire, kr-national)"
                )
            }),
        }
    }
}

/// An observation and the key that identifies duplicates of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The observation.
    pub obs: Observation,
    /// Equal for the same report heard twice: the same payload bits (see
    /// `sealane_ais::Meta::payload_hash`), or the same archive row.
    pub key: u64,
}

/// A rejected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Stable reason name, for counting.
    pub reason: &'static str,
    /// What is wrong, for people.
    pub detail: String,
    /// Byte offset in the line, when known.
    pub offset: Option<usize>,
}

/// Counts kept by a [`Normaliser`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormaliseStats {
    /// Lines read.
    pub lines: u64,
    /// AIS messages decoded, or CSV rows read.
    pub messages: u64,
    /// Lines that carry no AIS (other NMEA, comments, blank, headers).
    pub other_lines: u64,
    /// Sentences held as part of a multi-sentence message completed by a later line.
    pub fragments: u64,
    /// Position observations.
    pub positions: u64,
    /// Identity observations.
    pub identities: u64,
    /// Messages with neither (binary, safety, base station time, ... or position not available).
    pub without_observation: u64,
    /// Rejections by reason (decoder reasons, CSV reasons, and `incomplete_group` at the end).
    pub rejects: BTreeMap<&'static str, u64>,
}

impl NormaliseStats {
    /// Total rejections.
    pub fn rejected(&self) -> u64 {
        self.rejects.values().sum()
    }

    /// Adds another input's counts.
    pub fn merge(&mut self, o: &NormaliseStats) {
        self.lines += o.lines;
        self.messages += o.messages;
        self.other_lines += o.other_lines;
        self.fragments += o.fragments;
        self.positions += o.positions;
        self.identities += o.identities;
        self.without_observation += o.without_observation;
        for (k, v) in &o.rejects {
            *self.rejects.entry(k).or_default() += v;
        }
    }
}

enum Kind {
    Undecided { seen: u32 },
    Nmea(Box<Decoder>),
    Csv(csv::CsvReader),
}

/// Turns the lines of one input into observations.
pub struct Normaliser {
    kind: Kind,
    format: Format,
    tz_offset_min: i64,
    stats: NormaliseStats,
    buf: Vec<Observation>,
}

impl std::fmt::Debug for Normaliser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Normaliser({:?})", self.format)
    }
}

/// Lines read before giving up looking for a CSV header (some exports have a preamble).
const HEADER_SEARCH_LINES: u32 = 10;

impl Normaliser {
    /// A normaliser for one input. `tz_offset_min` applies to CSV times without an offset.
    pub fn new(format: Format, tz_offset_min: i64) -> Self {
        let kind = match format {
            Format::Nmea => Kind::Nmea(Box::new(Decoder::new(Options::default()))),
            Format::Auto | Format::Csv(_) => Kind::Undecided { seen: 0 },
        };
        Normaliser { kind, format, tz_offset_min, stats: NormaliseStats::default(), buf: Vec::new() }
    }

    /// The CSV dialect, once recognised.
    pub fn dialect(&self) -> Option<csv::Dialect> {
        match &self.kind {
            Kind::Csv(c) => Some(c.dialect()),
            _ => None,
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> &NormaliseStats {
        &self.stats
    }

    fn reject(&mut self, r: Reject) -> Result<(), Reject> {
        *self.stats.rejects.entry(r.reason).or_default() += 1;
        Err(r)
    }

    /// Reads one line (without its terminator). `arrival_ms` is used as the time of
    /// records whose input carries none, and marked as such.
    pub fn line(&mut self, line: &[u8], arrival_ms: i64, out: &mut Vec<Parsed>) -> Result<(), Reject> {
        self.line_with(line, arrival_ms, |p| out.push(p))
    }

    /// [`Normaliser::line`], handing each observation to `emit` as it is made
    /// (a reader that wraps them in records of its own saves a copy of each).
    pub fn line_with(&mut self, line: &[u8], arrival_ms: i64, mut emit: impl FnMut(Parsed)) -> Result<(), Reject> {
        self.stats.lines += 1;
        if let Kind::Undecided { seen } = &mut self.kind {
            let text = String::from_utf8_lossy(line);
            let t = text.trim();
            if t.is_empty() {
                self.stats.other_lines += 1;
                return Ok(());
            }
            let looks_nmea = (t.contains("VDM") || t.contains("VDO") || t.starts_with("$PGHP")) && !csv::is_header(t);
            if csv::is_header(t) && self.format != Format::Nmea {
                let dialect = match self.format {
                    Format::Csv(d) => d,
                    _ => None,
                };
                match csv::CsvReader::new(t, dialect, self.tz_offset_min) {
                    Ok(r) => {
                        self.kind = Kind::Csv(r);
                        self.stats.other_lines += 1;
                        return Ok(());
                    }
                    Err(detail) => return self.reject(Reject { reason: "csv_bad_header", detail, offset: None }),
                }
            }
            *seen += 1;
            if looks_nmea
                || *seen > HEADER_SEARCH_LINES
                || self.format == Format::Auto && t.starts_with(['!', '\\', '$'])
            {
                self.kind = Kind::Nmea(Box::new(Decoder::new(Options::default())));
            } else {
                // A preamble before a CSV header (e.g. the Korean export's query period).
                self.stats.other_lines += 1;
                return Ok(());
            }
        }
        match &mut self.kind {
            Kind::Nmea(d) => {
                let ignored_before = d.stats().ignored;
                match d.feed(line) {
                    Ok(Some(decoded)) => {
                        self.stats.messages += 1;
                        let key = decoded.meta.payload_hash;
                        self.buf.clear();
                        observe(decoded, arrival_ms, &mut self.buf);
                        self.push_observations(key, &mut emit);
                        Ok(())
                    }
                    Ok(None) => {
                        if d.stats().ignored > ignored_before {
                            self.stats.other_lines += 1;
                        } else {
                            self.stats.fragments += 1;
                        }
                        Ok(())
                    }
                    Err(e) => {
                        let detail = e.to_string();
                        self.reject(Reject { reason: e.kind.reason(), detail, offset: e.offset })
                    }
                }
            }
            Kind::Csv(r) => {
                let text = String::from_utf8_lossy(line);
                if text.trim().is_empty() {
                    self.stats.other_lines += 1;
                    return Ok(());
                }
                self.buf.clear();
                match r.row(&text, &mut self.buf) {
                    Ok(()) => {
                        self.stats.messages += 1;
                        let mut h = FxHasher::default();
                        text.trim().hash(&mut h);
                        let key = h.finish();
                        self.push_observations(key, &mut emit);
                        Ok(())
                    }
                    Err(e) => self.reject(Reject { reason: e.reason(), detail: format!("{e:?}"), offset: None }),
                }
            }
            Kind::Undecided { .. } => unreachable!("decided above"),
        }
    }

    fn push_observations(&mut self, key: u64, emit: &mut impl FnMut(Parsed)) {
        if self.buf.is_empty() {
            self.stats.without_observation += 1;
        }
        for (k, obs) in self.buf.drain(..).enumerate() {
            match obs {
                Observation::Position(_) => self.stats.positions += 1,
                Observation::Identity(_) => self.stats.identities += 1,
            }
            // A message can carry a position and an identity: their keys differ.
            emit(Parsed { obs, key: key.wrapping_add(k as u64) });
        }
    }

    /// Ends the input: unfinished multi-sentence groups are counted as `incomplete_group`.
    pub fn finish(&mut self) {
        if let Kind::Nmea(d) = &mut self.kind {
            let before = d.stats().errors_by_reason().find(|(r, _)| *r == "incomplete_group").map_or(0, |(_, n)| n);
            d.finish();
            let after = d.stats().errors_by_reason().find(|(r, _)| *r == "incomplete_group").map_or(0, |(_, n)| n);
            if after > before {
                *self.stats.rejects.entry("incomplete_group").or_default() += after - before;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_csv_after_a_preamble() {
        let mut n = Normaliser::new(Format::Auto, 0);
        let mut out = Vec::new();
        for line in [
            "\u{feff}조회 기간 : 2021-01-01 00:00:00 ~ 2021-01-01 23:59:59",
            "조회선박 척수 : 1541",
            "MMSI,일시,위도,경도,SOG,COG,Heading",
        ] {
            n.line(line.as_bytes(), 0, &mut out).unwrap();
        }
        n.line(b"111111111,2021-01-01 00:00:47,37.69109,125.700346666667,6.1,164.2,480", 0, &mut out).unwrap();
        assert_eq!(n.dialect(), Some(csv::Dialect::KoreaNational));
        assert_eq!(out.len(), 1);
        assert_eq!(n.stats().other_lines, 3);
        assert_eq!(n.stats().messages, 1);
    }

    #[test]
    fn the_same_message_twice_has_one_key() {
        let mut n = Normaliser::new(Format::Auto, 0);
        let mut out = Vec::new();
        n.line(b"\\s:r1,c:1600000000*78\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", 0, &mut out).unwrap();
        n.line(b"!AIVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,0*49", 0, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].key, out[1].key);
        assert_ne!(out[0].obs, out[1].obs, "times differ");
    }

    #[test]
    fn rejects_are_counted_by_reason() {
        let mut n = Normaliser::new(Format::Nmea, 0);
        let mut out = Vec::new();
        let e = n.line(b"!AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*FF", 0, &mut out).unwrap_err();
        assert_eq!(e.reason, "bad_checksum");
        n.line(b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C", 0, &mut out)
            .unwrap();
        n.finish();
        assert_eq!(n.stats().rejects.get("bad_checksum"), Some(&1));
        assert_eq!(n.stats().rejects.get("incomplete_group"), Some(&1));
    }
}
