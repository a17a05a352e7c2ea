//! The position block codec: a vessel's positions, time-ordered, as deltas in
//! variable-length integers. About 10-15 bytes a position; decoding runs at
//! hundreds of millions of bytes per second, so reading a block costs less
//! than fetching it.

use sealane_core::{TimeSource, VesselClass};

/// Sentinel for an unknown u16 field in [`StoredPosition`].
pub const NA_U16: u16 = u16::MAX;
/// Sentinel for an unknown u8 field in [`StoredPosition`].
pub const NA_U8: u8 = u8::MAX;
/// Sentinel for an unknown rate of turn.
pub const NA_ROT: i16 = i16::MIN;

/// Where a stored record came from: a line of a raw chunk, and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Provenance {
    /// Source id.
    pub source: u32,
    /// Raw chunk id.
    pub chunk: i64,
    /// Line index within the chunk.
    pub line: u32,
}

/// A position as stored: fixed-point, with sentinels for unknowns. Use
/// [`StoredPosition::from_position`] and the accessors rather than the raw fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPosition {
    /// MMSI.
    pub mmsi: u32,
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Latitude, 1e-7 degree.
    pub lat_e7: i32,
    /// Longitude, 1e-7 degree.
    pub lon_e7: i32,
    /// Speed over ground, 0.1 knot, or `NA_U16`.
    pub sog_dk: u16,
    /// Course over ground, 0.1 degree, or `NA_U16`.
    pub cog_dd: u16,
    /// Heading, degrees, or `NA_U16`.
    pub heading: u16,
    /// Navigational status, or `NA_U8`.
    pub nav_status: u8,
    /// Rate of turn, 0.1 degree/minute, or `NA_ROT`.
    pub rot_dd: i16,
    /// Position accuracy flag.
    pub accuracy: bool,
    /// Station class.
    pub class: VesselClass,
    /// Where the time came from.
    pub time_source: TimeSource,
    /// AIS message type (0 for archives).
    pub msg_type: u8,
    /// The first source that reported it.
    pub provenance: Provenance,
    /// Other sources that reported the same message (duplicates merged).
    pub also: Vec<Provenance>,
}

/// `v.round()` clamped to `lo..=hi` (whole numbers), as an integer, without
/// libm's `round`: that is a call per field on the baseline x86-64 target, and
/// the store's writer, the ingest's critical path, converts every position.
/// Exact: `v - trunc(v)` has no rounding error. NaN gives 0, as `as` does.
#[inline]
fn round_clamped(v: f64, lo: f64, hi: f64) -> i64 {
    // Clamping to whole-number bounds first gives what rounding first would.
    let v = v.clamp(lo, hi);
    let t = v as i64;
    let f = v - t as f64;
    t + (f >= 0.5) as i64 - (f <= -0.5) as i64
}

fn round_i32(v: f64) -> i32 {
    round_clamped(v, i32::MIN as f64, i32::MAX as f64) as i32
}

fn opt_u16(v: Option<f32>, scale: f32, max: u16) -> u16 {
    // The product in single precision, as before: stored values do not change.
    v.map_or(NA_U16, |x| round_clamped((x * scale) as f64, 0.0, max as f64) as u16)
}

impl StoredPosition {
    /// Fixed-point form of an observed position.
    pub fn from_position(p: &sealane_core::Position, provenance: Provenance) -> StoredPosition {
        StoredPosition {
            mmsi: p.mmsi,
            time_ms: p.time_ms,
            lat_e7: round_i32(p.lat * 1e7),
            lon_e7: round_i32(p.lon * 1e7),
            sog_dk: opt_u16(p.sog, 10.0, 65_000),
            cog_dd: opt_u16(p.cog, 10.0, 3_599),
            heading: p.heading.filter(|&h| h < 360).unwrap_or(NA_U16),
            nav_status: p.nav_status.unwrap_or(NA_U8),
            rot_dd: p.rot.map_or(NA_ROT, |r| round_clamped((r * 10.0) as f64, -32_000.0, 32_000.0) as i16),
            accuracy: p.accuracy,
            class: p.class,
            time_source: p.time_source,
            msg_type: p.msg_type,
            provenance,
            also: Vec::new(),
        }
    }

    /// The observed position back (to the stored precision: 1e-7 degree, 0.1 knot, 0.1 degree).
    pub fn to_position(&self) -> sealane_core::Position {
        sealane_core::Position {
            mmsi: self.mmsi,
            time_ms: self.time_ms,
            time_source: self.time_source,
            lat: self.lat(),
            lon: self.lon(),
            sog: self.sog().map(|v| v as f32),
            cog: self.cog().map(|v| v as f32),
            heading: self.heading(),
            nav_status: self.nav_status(),
            rot: self.rot().map(|v| v as f32),
            accuracy: self.accuracy,
            class: self.class,
            msg_type: self.msg_type,
        }
    }

    /// Latitude, degrees.
    pub fn lat(&self) -> f64 {
        self.lat_e7 as f64 / 1e7
    }

    /// Longitude, degrees.
    pub fn lon(&self) -> f64 {
        self.lon_e7 as f64 / 1e7
    }

    /// Speed over ground, knots.
    pub fn sog(&self) -> Option<f64> {
        (self.sog_dk != NA_U16).then(|| self.sog_dk as f64 / 10.0)
    }

    /// Course over ground, degrees.
    pub fn cog(&self) -> Option<f64> {
        (self.cog_dd != NA_U16).then(|| self.cog_dd as f64 / 10.0)
    }

    /// Heading, degrees.
    pub fn heading(&self) -> Option<u16> {
        (self.heading != NA_U16).then_some(self.heading)
    }

    /// Navigational status.
    pub fn nav_status(&self) -> Option<u8> {
        (self.nav_status != NA_U8).then_some(self.nav_status)
    }

    /// Rate of turn, degrees per minute.
    pub fn rot(&self) -> Option<f64> {
        (self.rot_dd != NA_ROT).then(|| self.rot_dd as f64 / 10.0)
    }
}

const VERSION: u8 = 1;

fn class_code(c: VesselClass) -> u8 {
    match c {
        VesselClass::Unknown => 0,
        VesselClass::A => 1,
        VesselClass::B => 2,
        VesselClass::Sar => 3,
        VesselClass::AtoN => 4,
        VesselClass::Base => 5,
    }
}

fn class_from(c: u8) -> VesselClass {
    match c {
        1 => VesselClass::A,
        2 => VesselClass::B,
        3 => VesselClass::Sar,
        4 => VesselClass::AtoN,
        5 => VesselClass::Base,
        _ => VesselClass::Unknown,
    }
}

fn ts_code(t: TimeSource) -> u8 {
    match t {
        TimeSource::Column => 0,
        TimeSource::TagBlock => 1,
        TimeSource::Receiver => 2,
        TimeSource::Arrival => 3,
    }
}

fn ts_from(c: u8) -> TimeSource {
    match c {
        0 => TimeSource::Column,
        1 => TimeSource::TagBlock,
        2 => TimeSource::Receiver,
        _ => TimeSource::Arrival,
    }
}

#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Why a block could not be read (a damaged or foreign blob).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("position block is damaged or of an unknown version (at byte {0})")]
pub struct BlockError(pub usize);

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    #[inline]
    fn varint(&mut self) -> Result<u64, BlockError> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.b.get(self.pos).ok_or(BlockError(self.pos))?;
            self.pos += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(BlockError(self.pos));
            }
        }
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, BlockError> {
        let b = *self.b.get(self.pos).ok_or(BlockError(self.pos))?;
        self.pos += 1;
        Ok(b)
    }
}

/// One position's bytes, gathered on the stack and appended to the block at
/// once: one capacity check per position rather than one per field.
struct Staged {
    bytes: [u8; Staged::MAX],
    len: usize,
}

impl Staged {
    /// The most one position's fixed fields can take: eleven varints of at
    /// most ten bytes (most take one or two) and three single bytes.
    const MAX: usize = 11 * 10 + 3;

    #[inline]
    fn byte(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    #[inline]
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.byte((v as u8) | 0x80);
            v >>= 7;
        }
        self.byte(v as u8);
    }
}

/// The running values a block's positions are stored as deltas of.
#[derive(Debug, Clone, Copy)]
struct Deltas {
    t: i64,
    lat: i64,
    lon: i64,
    chunk: i64,
    line: i64,
}

impl Deltas {
    /// The state at a block's start, whose first position is at `t_base`.
    fn at(t_base: i64) -> Deltas {
        Deltas { t: t_base, lat: 0, lon: 0, chunk: 0, line: 0 }
    }

    /// Appends one position's bytes to `out`.
    #[inline]
    fn put(&mut self, p: &StoredPosition, out: &mut Vec<u8>) {
        let mut s = Staged { bytes: [0; Staged::MAX], len: 0 };
        s.varint(zigzag(p.time_ms - self.t));
        s.varint(zigzag(p.lat_e7 as i64 - self.lat));
        s.varint(zigzag(p.lon_e7 as i64 - self.lon));
        self.t = p.time_ms;
        self.lat = p.lat_e7 as i64;
        self.lon = p.lon_e7 as i64;
        // +1 so that "unknown" (all ones) costs one byte as 0.
        s.varint((p.sog_dk as u64 + 1) & 0xffff);
        s.varint((p.cog_dd as u64 + 1) & 0xffff);
        s.varint((p.heading as u64 + 1) & 0xffff);
        s.byte(p.nav_status);
        s.varint(if p.rot_dd == NA_ROT { 0 } else { zigzag(p.rot_dd as i64) + 1 });
        s.byte(p.accuracy as u8 | class_code(p.class) << 1 | ts_code(p.time_source) << 4);
        s.byte(p.msg_type);
        s.varint(p.provenance.source as u64);
        s.varint(zigzag(p.provenance.chunk - self.chunk));
        s.varint(zigzag(p.provenance.line as i64 - self.line));
        self.chunk = p.provenance.chunk;
        self.line = p.provenance.line as i64;
        s.varint(p.also.len() as u64);
        out.extend_from_slice(&s.bytes[..s.len]);
        for a in &p.also {
            put_varint(out, a.source as u64);
            put_varint(out, zigzag(a.chunk - p.provenance.chunk));
            put_varint(out, a.line as u64);
        }
    }
}

/// What the index keeps of a block: its size, time range and bounding box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockMeta {
    /// Positions.
    pub n: u32,
    /// First position's time, ms.
    pub t_min: i64,
    /// Last position's time, ms.
    pub t_max: i64,
    /// Latitude range, 1e-7 degree.
    pub lat_min: i32,
    /// See `lat_min`.
    pub lat_max: i32,
    /// Longitude range, 1e-7 degree.
    pub lon_min: i32,
    /// See `lon_min`.
    pub lon_max: i32,
}

impl BlockMeta {
    /// The meta of a block with no position yet.
    const EMPTY: BlockMeta = BlockMeta {
        n: 0,
        t_min: 0,
        t_max: 0,
        lat_min: i32::MAX,
        lat_max: i32::MIN,
        lon_min: i32::MAX,
        lon_max: i32::MIN,
    };

    #[inline]
    fn add(&mut self, p: &StoredPosition) {
        if self.n == 0 {
            self.t_min = p.time_ms;
        }
        self.n += 1;
        self.t_max = p.time_ms;
        self.lat_min = self.lat_min.min(p.lat_e7);
        self.lat_max = self.lat_max.max(p.lat_e7);
        self.lon_min = self.lon_min.min(p.lon_e7);
        self.lon_max = self.lon_max.max(p.lon_e7);
    }

    /// The meta of a block of these time-ordered positions (the tests' reference).
    #[cfg(test)]
    pub(crate) fn of(positions: &[StoredPosition]) -> BlockMeta {
        let mut m = BlockMeta::EMPTY;
        for p in positions {
            m.add(p);
        }
        m
    }
}

/// A vessel's block, encoded position by position as they arrive in time
/// order (the writer's pending positions take 10-20 bytes each here, 80 as
/// [`StoredPosition`]s). [`decode`] reads what [`BlockBuilder::write`] writes.
#[derive(Debug, Clone)]
pub struct BlockBuilder {
    body: Vec<u8>,
    meta: BlockMeta,
    deltas: Deltas,
}

impl Default for BlockBuilder {
    fn default() -> Self {
        BlockBuilder { body: Vec::new(), meta: BlockMeta::EMPTY, deltas: Deltas::at(0) }
    }
}

impl BlockBuilder {
    /// Appends a position no earlier than the last one.
    #[inline]
    pub fn push(&mut self, p: &StoredPosition) {
        debug_assert!(self.meta.n == 0 || p.time_ms >= self.meta.t_max, "positions out of time order");
        if self.meta.n == 0 {
            self.deltas = Deltas::at(p.time_ms);
        }
        self.meta.add(p);
        self.deltas.put(p, &mut self.body);
    }

    /// Positions so far, and their time range and box.
    pub fn meta(&self) -> BlockMeta {
        self.meta
    }

    /// Writes the block to `out`: the version, the number of positions, their bytes.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.reserve(self.body.len() + 11);
        out.push(VERSION);
        put_varint(out, self.meta.n as u64);
        out.extend_from_slice(&self.body);
    }

    /// Empties the builder; it keeps its memory.
    pub fn clear(&mut self) {
        self.body.clear();
        self.meta = BlockMeta::EMPTY;
    }
}

/// Decodes a block of vessel `mmsi` whose first position is at `t_base`.
pub fn decode(mmsi: u32, t_base: i64, data: &[u8], out: &mut Vec<StoredPosition>) -> Result<(), BlockError> {
    let mut c = Cursor { b: data, pos: 0 };
    if c.byte()? != VERSION {
        return Err(BlockError(0));
    }
    let n = c.varint()? as usize;
    if n > data.len() {
        return Err(BlockError(c.pos));
    }
    out.reserve(n);
    let (mut t, mut lat, mut lon) = (t_base, 0i64, 0i64);
    let (mut chunk, mut line) = (0i64, 0i64);
    for _ in 0..n {
        t += unzigzag(c.varint()?);
        lat += unzigzag(c.varint()?);
        lon += unzigzag(c.varint()?);
        let sog = (c.varint()? as u16).wrapping_sub(1);
        let cog = (c.varint()? as u16).wrapping_sub(1);
        let heading = (c.varint()? as u16).wrapping_sub(1);
        let nav_status = c.byte()?;
        let rot = c.varint()?;
        let flags = c.byte()?;
        let msg_type = c.byte()?;
        let source = c.varint()? as u32;
        chunk += unzigzag(c.varint()?);
        line += unzigzag(c.varint()?);
        let provenance = Provenance { source, chunk, line: line as u32 };
        let n_also = c.varint()? as usize;
        if n_also > data.len() {
            return Err(BlockError(c.pos));
        }
        let mut also = Vec::with_capacity(n_also);
        for _ in 0..n_also {
            let source = c.varint()? as u32;
            let chunk = provenance.chunk + unzigzag(c.varint()?);
            let line = c.varint()? as u32;
            also.push(Provenance { source, chunk, line });
        }
        out.push(StoredPosition {
            mmsi,
            time_ms: t,
            lat_e7: lat as i32,
            lon_e7: lon as i32,
            sog_dk: sog,
            cog_dd: cog,
            heading,
            nav_status,
            rot_dd: if rot == 0 { NA_ROT } else { unzigzag(rot - 1) as i16 },
            accuracy: flags & 1 == 1,
            class: class_from((flags >> 1) & 7),
            time_source: ts_from((flags >> 4) & 3),
            msg_type,
            provenance,
            also,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The libm-free rounding gives what `round` then `clamp` gave, for any value.
        #[test]
        fn rounding_matches_round_then_clamp(v in any::<f64>(), k in -40_000i64..40_000, frac in 0u8..8) {
            let near_half = k as f64 + [0.5, -0.5, 0.49999999999999994, 0.5000000000000001, 0.0, 0.25, 0.75, -0.75][frac as usize];
            for x in [v, near_half, v * 1e-300, v * 1e7, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let want = x.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32;
                prop_assert_eq!(round_i32(x), want, "{}", x);
                let want = x.round().clamp(-32_000.0, 32_000.0) as i16;
                prop_assert_eq!(round_clamped(x, -32_000.0, 32_000.0) as i16, want, "{}", x);
                let y = x as f32;
                let want = ((y * 10.0).round().clamp(0.0, 3_599.0)) as u16;
                prop_assert_eq!(opt_u16(Some(y), 10.0, 3_599), want, "{}", y);
            }
        }
    }

    fn arb_position() -> impl Strategy<Value = StoredPosition> {
        (
            (0i64..4_000_000_000_000, -900_000_000i32..=900_000_000, -1_800_000_000i32..=1_800_000_000),
            (any::<u16>(), any::<u16>(), any::<u16>(), any::<u8>(), any::<i16>(), any::<bool>(), 0u8..6, 0u8..4),
            (any::<u8>(), any::<u32>(), any::<i64>(), any::<u32>()),
            proptest::collection::vec((any::<u32>(), -1000i64..1000, any::<u32>()), 0..3),
        )
            .prop_map(
                |((t, lat, lon), (sog, cog, hdg, st, rot, acc, cl, ts), (mt, src, chunk, line), also)| StoredPosition {
                    mmsi: 1,
                    time_ms: t,
                    lat_e7: lat,
                    lon_e7: lon,
                    sog_dk: sog,
                    cog_dd: cog,
                    heading: hdg,
                    nav_status: st,
                    rot_dd: rot,
                    accuracy: acc,
                    class: class_from(cl),
                    time_source: ts_from(ts),
                    msg_type: mt,
                    provenance: Provenance { source: src, chunk: chunk / 2, line },
                    also: also
                        .into_iter()
                        .map(|(s, d, l)| Provenance { source: s, chunk: chunk / 2 + d, line: l })
                        .collect(),
                },
            )
    }

    proptest! {
        #[test]
        fn blocks_round_trip(mut ps in proptest::collection::vec(arb_position(), 1..50)) {
            ps.sort_by_key(|p| p.time_ms);
            let mut b = BlockBuilder::default();
            for p in &ps {
                b.push(p);
            }
            let mut buf = Vec::new();
            b.write(&mut buf);
            let mut back = Vec::new();
            decode(1, ps[0].time_ms, &buf, &mut back).unwrap();
            prop_assert_eq!(back, ps);
        }

        /// A builder reused after `clear` builds what a fresh one does, and keeps
        /// the block's count, time range and box.
        #[test]
        fn a_reused_builder_builds_what_a_fresh_one_does(
            mut first in proptest::collection::vec(arb_position(), 0..20),
            mut second in proptest::collection::vec(arb_position(), 1..50),
        ) {
            first.sort_by_key(|p| p.time_ms);
            second.sort_by_key(|p| p.time_ms);
            let mut b = BlockBuilder::default();
            for p in &first {
                b.push(p);
            }
            b.clear();
            for p in &second {
                b.push(p);
            }
            let mut fresh = BlockBuilder::default();
            for p in &second {
                fresh.push(p);
            }
            let (mut reused, mut once) = (Vec::new(), Vec::new());
            b.write(&mut reused);
            fresh.write(&mut once);
            prop_assert_eq!(reused, once);
            let m = b.meta();
            prop_assert_eq!(m, BlockMeta::of(&second));
            prop_assert_eq!((m.n as usize, m.t_min, m.t_max), (second.len(), second[0].time_ms, second[second.len() - 1].time_ms));
            prop_assert_eq!(m.lat_min, second.iter().map(|p| p.lat_e7).min().unwrap());
            prop_assert_eq!(m.lon_max, second.iter().map(|p| p.lon_e7).max().unwrap());
        }

        #[test]
        fn damaged_blocks_are_errors_not_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut out = Vec::new();
            let _ = decode(1, 0, &data, &mut out);
        }
    }
}
