//! The three questions: one vessel's track, everything in a box, the latest
//! position of every vessel; plus identity history and store statistics.

use rusqlite::{Row, params};
use sealane_core::{Identity, VesselClass};

use crate::block::{self, StoredPosition};
use crate::writer::{BLOCK_MAX_SPAN_MS, SMALL_BLOCK};
use crate::{Error, Result, Store};

/// A longitude/latitude box; `west > east` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    /// West longitude, degrees.
    pub west: f64,
    /// South latitude, degrees.
    pub south: f64,
    /// East longitude, degrees.
    pub east: f64,
    /// North latitude, degrees.
    pub north: f64,
}

impl Bbox {
    /// Parses `W,S,E,N` in degrees.
    pub fn parse(s: &str) -> std::result::Result<Bbox, String> {
        let v: Vec<f64> = s
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| format!("bbox {s:?}: {e} (expected W,S,E,N in degrees)"))?;
        let [west, south, east, north] = v[..] else {
            return Err(format!("bbox {s:?}: expected four numbers W,S,E,N, got {}", v.len()));
        };
        if !(-180.0..=180.0).contains(&west) || !(-180.0..=180.0).contains(&east) {
            return Err(format!("bbox {s:?}: longitudes must be within -180..180"));
        }
        if !(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north) || south > north {
            return Err(format!("bbox {s:?}: latitudes must be within -90..90 with south <= north"));
        }
        Ok(Bbox { west, south, east, north })
    }

    /// The whole world.
    pub fn world() -> Bbox {
        Bbox { west: -180.0, south: -90.0, east: 180.0, north: 90.0 }
    }

    /// True when the point is inside (edges included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let lon_ok = if self.west <= self.east {
            lon >= self.west && lon <= self.east
        } else {
            lon >= self.west || lon <= self.east
        };
        lon_ok && lat >= self.south && lat <= self.north
    }

    /// The box as one or two boxes that do not cross the antimeridian.
    fn parts(&self) -> Vec<Bbox> {
        if self.west <= self.east {
            vec![*self]
        } else {
            vec![Bbox { east: 180.0, ..*self }, Bbox { west: -180.0, ..*self }]
        }
    }
}

/// The latest position of a vessel.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestRow {
    /// MMSI.
    pub mmsi: u32,
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog: Option<f64>,
    /// Course over ground, degrees.
    pub cog: Option<f64>,
    /// Heading, degrees.
    pub heading: Option<u16>,
    /// Navigational status.
    pub nav_status: Option<u8>,
    /// Station class.
    pub class: VesselClass,
    /// Source id.
    pub source: u32,
}

/// One state of a vessel's identity and the time range it held.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityRow {
    /// The identity fields (`time_ms` unused).
    pub fields: Identity,
    /// First report of this state, ms.
    pub t_from: i64,
    /// Last report of this state, ms.
    pub t_to: i64,
    /// Number of reports.
    pub reports: u32,
    /// Flag state from the MMSI's MID.
    pub flag: Option<String>,
    /// Source of the first report.
    pub source: u32,
}

impl IdentityRow {
    pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<IdentityRow> {
        let dims: [Option<u16>; 4] = [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?];
        Ok(IdentityRow {
            fields: Identity {
                mmsi: r.get(0)?,
                time_ms: 0,
                name: r.get(4)?,
                callsign: r.get(5)?,
                imo: r.get(6)?,
                shiptype: r.get(7)?,
                dims: match dims {
                    [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
                    _ => None,
                },
                draught: r.get::<_, Option<f64>>(12)?.map(|v| v as f32),
                destination: r.get(13)?,
                eta: r.get(14)?,
            },
            t_from: r.get(1)?,
            t_to: r.get(2)?,
            reports: r.get(3)?,
            flag: r.get(15)?,
            source: r.get(16)?,
        })
    }
}

/// Sizes of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreStats {
    /// Positions stored.
    pub positions: u64,
    /// Position blocks.
    pub blocks: u64,
    /// Vessels with a latest position.
    pub vessels: u64,
    /// Identity history rows.
    pub identity_rows: u64,
    /// Raw chunks and lines in the message log.
    pub raw_chunks: u64,
    /// Raw lines.
    pub raw_lines: u64,
    /// Bytes of position block data.
    pub block_bytes: u64,
    /// Bytes of compressed raw log data.
    pub raw_bytes: u64,
    /// Size of the database file (pages in use), bytes.
    pub file_bytes: u64,
}

impl Store {
    fn decode_into(&self, mmsi: u32, t_min: i64, data: &[u8], id: i64, out: &mut Vec<StoredPosition>) -> Result<()> {
        block::decode(mmsi, t_min, data, out)
            .map_err(|e| Error::Corrupt { path: self.path().display().to_string(), what: format!("block {id}: {e}") })
    }

    /// One vessel's positions from `from_ms` to `to_ms` (inclusive), in time order.
    pub fn track(&self, mmsi: u32, from_ms: i64, to_ms: i64) -> Result<Vec<StoredPosition>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, t_min, data FROM position_blocks
                 WHERE mmsi = ?1 AND t_min >= ?2 AND t_min <= ?3 AND t_max >= ?4",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st
            .query(params![mmsi, from_ms.saturating_sub(BLOCK_MAX_SPAN_MS), to_ms, from_ms])
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let (id, t_min): (i64, i64) = (r.get(0).map_err(|e| self.err(e))?, r.get(1).map_err(|e| self.err(e))?);
            let data = r.get_ref(2).map_err(|e| self.err(e))?.as_blob().map_err(|e| self.err(e.into()))?;
            self.decode_into(mmsi, t_min, data, id, &mut out)?;
        }
        out.retain(|p| p.time_ms >= from_ms && p.time_ms <= to_ms);
        out.sort_by_key(|p| p.time_ms);
        Ok(out)
    }

    /// Every position inside `bbox` from `from_ms` to `to_ms`, ordered by vessel then time.
    pub fn area(&self, bbox: Bbox, from_ms: i64, to_ms: i64) -> Result<Vec<StoredPosition>> {
        let mut ids = Vec::new();
        {
            let mut st = self
                .conn
                .prepare_cached(
                    "SELECT id FROM position_blocks_rtree
                     WHERE t_max >= ?1 AND t_min <= ?2 AND lon_max >= ?3 AND lon_min <= ?4 AND lat_max >= ?5 AND lat_min <= ?6",
                )
                .map_err(|e| self.err(e))?;
            for part in bbox.parts() {
                let rows = st
                    .query_map(
                        params![
                            from_ms.div_euclid(1000) as f64,
                            (to_ms + 999).div_euclid(1000) as f64,
                            part.west,
                            part.east,
                            part.south,
                            part.north
                        ],
                        |r| r.get::<_, i64>(0),
                    )
                    .map_err(|e| self.err(e))?;
                for id in rows {
                    ids.push(id.map_err(|e| self.err(e))?);
                }
            }
        }
        {
            // Small blocks are not in the R*Tree (see the writer); the partial index finds
            // them. A block spans at most BLOCK_MAX_SPAN_MS, so one that starts before the
            // window's end also ends before that plus the span: both ends bound the scan.
            let mut st = self
                .conn
                .prepare_cached(&format!(
                    "SELECT id FROM position_blocks INDEXED BY position_blocks_small
                     WHERE n < {SMALL_BLOCK} AND t_max >= ?1 AND t_max <= ?7 AND t_min <= ?2
                       AND lon_max >= ?3 AND lon_min <= ?4 AND lat_max >= ?5 AND lat_min <= ?6"
                ))
                .map_err(|e| self.err(e))?;
            for part in bbox.parts() {
                let rows = st
                    .query_map(
                        params![
                            from_ms,
                            to_ms,
                            part.west,
                            part.east,
                            part.south,
                            part.north,
                            to_ms.saturating_add(BLOCK_MAX_SPAN_MS)
                        ],
                        |r| r.get::<_, i64>(0),
                    )
                    .map_err(|e| self.err(e))?;
                for id in rows {
                    ids.push(id.map_err(|e| self.err(e))?);
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut st = self
            .conn
            .prepare_cached("SELECT mmsi, t_min, data FROM position_blocks WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        let mut block = Vec::new();
        for id in ids {
            let mut rows = st.query([id]).map_err(|e| self.err(e))?;
            if let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let mmsi: u32 = r.get(0).map_err(|e| self.err(e))?;
                let t_min: i64 = r.get(1).map_err(|e| self.err(e))?;
                let data = r.get_ref(2).map_err(|e| self.err(e))?.as_blob().map_err(|e| self.err(e.into()))?;
                block.clear();
                self.decode_into(mmsi, t_min, data, id, &mut block)?;
                out.extend(
                    block
                        .drain(..)
                        .filter(|p| p.time_ms >= from_ms && p.time_ms <= to_ms && bbox.contains(p.lat(), p.lon())),
                );
            }
        }
        out.sort_by_key(|p| (p.mmsi, p.time_ms));
        Ok(out)
    }

    /// Calls `f` with the positions of each block overlapping the window (and
    /// `bbox`, when given), filtered to them, block by block: memory stays
    /// bounded whatever the store's size. Blocks come in `t_min` order.
    pub fn scan(
        &self,
        from_ms: i64,
        to_ms: i64,
        bbox: Option<Bbox>,
        mut f: impl FnMut(&[StoredPosition]) -> Result<()>,
    ) -> Result<u64> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, mmsi, t_min, data FROM position_blocks
                 WHERE t_max >= ?1 AND t_min <= ?2 ORDER BY t_min",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query(params![from_ms, to_ms]).map_err(|e| self.err(e))?;
        let mut block = Vec::new();
        let mut n = 0u64;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: i64 = r.get(0).map_err(|e| self.err(e))?;
            let mmsi: u32 = r.get(1).map_err(|e| self.err(e))?;
            let t_min: i64 = r.get(2).map_err(|e| self.err(e))?;
            let data = r.get_ref(3).map_err(|e| self.err(e))?.as_blob().map_err(|e| self.err(e.into()))?;
            block.clear();
            self.decode_into(mmsi, t_min, data, id, &mut block)?;
            block.retain(|p| {
                p.time_ms >= from_ms && p.time_ms <= to_ms && bbox.is_none_or(|b| b.contains(p.lat(), p.lon()))
            });
            if !block.is_empty() {
                n += block.len() as u64;
                f(&block)?;
            }
        }
        Ok(n)
    }

    /// Calls `f` with every position in the window, in time order across
    /// vessels (ties by MMSI): the store replayed as the stream it came from.
    /// Blocks are read in `t_min` order and merged through a heap; a position
    /// is released once no block still to come can hold an earlier one, so
    /// memory is bounded by the blocks that overlap in time.
    pub fn scan_time_ordered(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut f: impl FnMut(StoredPosition) -> Result<()>,
    ) -> Result<u64> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        struct Item(StoredPosition);
        impl PartialEq for Item {
            fn eq(&self, o: &Self) -> bool {
                (self.0.time_ms, self.0.mmsi) == (o.0.time_ms, o.0.mmsi)
            }
        }
        impl Eq for Item {}
        impl PartialOrd for Item {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Item {
            fn cmp(&self, o: &Self) -> std::cmp::Ordering {
                (self.0.time_ms, self.0.mmsi, self.0.provenance).cmp(&(o.0.time_ms, o.0.mmsi, o.0.provenance))
            }
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, mmsi, t_min, data FROM position_blocks
                 WHERE t_max >= ?1 AND t_min <= ?2 ORDER BY t_min, mmsi",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query(params![from_ms, to_ms]).map_err(|e| self.err(e))?;
        let mut heap: BinaryHeap<Reverse<Item>> = BinaryHeap::new();
        let mut block = Vec::new();
        let mut n = 0u64;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: i64 = r.get(0).map_err(|e| self.err(e))?;
            let mmsi: u32 = r.get(1).map_err(|e| self.err(e))?;
            let t_min: i64 = r.get(2).map_err(|e| self.err(e))?;
            // Nothing in this block or any later one is earlier than t_min.
            while heap.peek().is_some_and(|Reverse(Item(p))| p.time_ms < t_min) {
                let Reverse(Item(p)) = heap.pop().expect("peeked");
                n += 1;
                f(p)?;
            }
            let data = r.get_ref(3).map_err(|e| self.err(e))?.as_blob().map_err(|e| self.err(e.into()))?;
            block.clear();
            self.decode_into(mmsi, t_min, data, id, &mut block)?;
            for p in block.drain(..) {
                if p.time_ms >= from_ms && p.time_ms <= to_ms {
                    heap.push(Reverse(Item(p)));
                }
            }
        }
        while let Some(Reverse(Item(p))) = heap.pop() {
            n += 1;
            f(p)?;
        }
        Ok(n)
    }

    /// Every identity row, by `t_from`: the identity history replayed.
    pub fn identity_rows(&self) -> Result<Vec<IdentityRow>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {} FROM identity ORDER BY t_from, mmsi", IdentityRow::COLUMNS))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], IdentityRow::from_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    /// The latest position of every vessel, optionally only those inside `bbox`.
    pub fn latest(&self, bbox: Option<Bbox>) -> Result<Vec<LatestRow>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT mmsi, time_ms, lat, lon, sog, cog, heading, nav_status, class, source_id FROM latest ORDER BY mmsi",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(LatestRow {
                    mmsi: r.get(0)?,
                    time_ms: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    sog: r.get(4)?,
                    cog: r.get(5)?,
                    heading: r.get(6)?,
                    nav_status: r.get(7)?,
                    class: VesselClass::from_code(&r.get::<_, String>(8)?),
                    source: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| self.err(e))?;
            if bbox.is_none_or(|b| b.contains(row.lat, row.lon)) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// A vessel's identity history, oldest first.
    pub fn identity_history(&self, mmsi: u32) -> Result<Vec<IdentityRow>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {} FROM identity WHERE mmsi = ?1 ORDER BY t_from", IdentityRow::COLUMNS))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([mmsi], IdentityRow::from_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Result<StoreStats> {
        let q = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
                .map(|v| v.unwrap_or(0) as u64)
                .map_err(|e| self.err(e))
        };
        Ok(StoreStats {
            positions: q("SELECT sum(n) FROM position_blocks")?,
            blocks: q("SELECT count(*) FROM position_blocks")?,
            vessels: q("SELECT count(*) FROM latest")?,
            identity_rows: q("SELECT count(*) FROM identity")?,
            raw_chunks: q("SELECT count(*) FROM raw_chunks")?,
            raw_lines: q("SELECT sum(lines) FROM raw_chunks")?,
            block_bytes: q("SELECT sum(length(data)) FROM position_blocks")?,
            raw_bytes: q("SELECT sum(length(data)) FROM raw_chunks")?,
            file_bytes: q(
                "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count, pragma_page_size",
            )?,
        })
    }

    /// Time range of all stored positions, ms.
    pub fn time_range(&self) -> Result<Option<(i64, i64)>> {
        self.conn
            .query_row("SELECT min(t_min), max(t_max) FROM position_blocks", [], |r| {
                Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?))
            })
            .map_err(|e| self.err(e))
    }
}
