//! `sealane bench store`: builds a large store from real tracks and measures
//! the three operator queries on it (the numbers in BENCHMARKS.md).
//!
//! The tracks (a MarineCadastre day) are replayed as many times as needed:
//! each replica gets its own MMSIs, a day offset (within a week) and a
//! longitude shift, so replicas spread around the globe instead of piling
//! into the same boxes, and vessels keep their real movement.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sealane_core::{Label, Observation};
use sealane_ingest::input::{Input, for_each_line};
use sealane_ingest::{Format, Normaliser};
use sealane_store::{Bbox, Provenance, Store, StoredPosition};

/// Settings of a store benchmark.
#[derive(Debug, Clone)]
pub struct StoreBench {
    /// Real tracks to replay (any CSV or NMEA `ingest` reads).
    pub tracks: PathBuf,
    /// Positions to build.
    pub positions: u64,
    /// Store to build (must not exist) or reuse (with `reuse`).
    pub store: PathBuf,
    /// Query an existing store instead of building.
    pub reuse: bool,
    /// Queries of each kind to time.
    pub samples: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 9 / 10).min(v.len() - 1)]
}

/// Runs the benchmark, reporting to `out`.
pub fn store_bench(b: &StoreBench, out: &mut dyn Write) -> Result<()> {
    if !b.reuse {
        if b.store.exists() {
            bail!("{} exists; remove it or pass --reuse", b.store.display());
        }
        build(b, out)?;
    }
    let store = Store::open_read_only(&b.store)?;
    let st = store.stats()?;
    writeln!(
        out,
        "store: {} positions, {} vessels, {} blocks; file {:.1} MB = {:.2} bytes/position (blocks {:.2} B/pos)",
        st.positions,
        st.vessels,
        st.blocks,
        st.file_bytes as f64 / 1e6,
        st.file_bytes as f64 / st.positions.max(1) as f64,
        st.block_bytes as f64 / st.positions.max(1) as f64
    )?;
    let latest = store.latest(None)?;
    if latest.is_empty() {
        bail!("the store has no positions");
    }
    // Deterministic choice of vessels and places.
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut track_t = Vec::new();
    let mut track_n = 0usize;
    let mut area_t = Vec::new();
    let mut area_n = 0usize;
    for _ in 0..b.samples {
        let v = &latest[(next() % latest.len() as u64) as usize];
        let day = sealane_core::time::day_start(v.time_ms);
        let t = Instant::now();
        let track = store.track(v.mmsi, day, day + 86_400_000 - 1)?;
        track_t.push(t.elapsed());
        track_n += track.len();
        // A 1 x 1 degree box around a real position of the vessel, for the hour around it.
        let p = track
            .get((next() % track.len().max(1) as u64) as usize)
            .map_or((v.lat, v.lon, v.time_ms), |p| (p.lat(), p.lon(), p.time_ms));
        let bbox = Bbox { west: p.1 - 0.5, south: p.0 - 0.5, east: p.1 + 0.5, north: p.0 + 0.5 };
        let t = Instant::now();
        let area = store.area(bbox, p.2 - 1_800_000, p.2 + 1_800_000)?;
        area_t.push(t.elapsed());
        area_n += area.len();
    }
    let mut latest_t = Vec::new();
    for _ in 0..5.min(b.samples).max(1) {
        let t = Instant::now();
        let l = store.latest(None)?;
        latest_t.push(t.elapsed());
        std::hint::black_box(l);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    writeln!(
        out,
        "one vessel's day:        median {:7.2} ms, p90 {:7.2} ms ({} samples, {:.0} positions each)",
        ms(median(track_t.clone())),
        ms(p90(track_t)),
        b.samples,
        track_n as f64 / b.samples as f64
    )?;
    writeln!(
        out,
        "1 deg x 1 deg, one hour: median {:7.2} ms, p90 {:7.2} ms ({} samples, {:.0} positions each)",
        ms(median(area_t.clone())),
        ms(p90(area_t)),
        b.samples,
        area_n as f64 / b.samples as f64
    )?;
    writeln!(out, "latest of every vessel:  median {:7.2} ms ({} vessels)", ms(median(latest_t)), latest.len())?;
    Ok(())
}

fn build(b: &StoreBench, out: &mut dyn Write) -> Result<()> {
    // Read the real tracks once.
    let input = Input::File(b.tracks.clone());
    let mut n = Normaliser::new(Format::Auto, 0);
    let mut parsed = Vec::new();
    let mut tracks: Vec<sealane_core::Position> = Vec::new();
    for_each_line(input.open()?, |_, line| {
        parsed.clear();
        let _ = n.line(line, 0, &mut parsed);
        for p in parsed.drain(..) {
            if let Observation::Position(pos) = p.obs {
                tracks.push(pos);
            }
        }
        true
    })
    .with_context(|| format!("reading {}", b.tracks.display()))?;
    if tracks.is_empty() {
        bail!("{} has no positions", b.tracks.display());
    }
    let mut vessel_index = std::collections::HashMap::new();
    for p in &tracks {
        let next = vessel_index.len() as u32;
        vessel_index.entry(p.mmsi).or_insert(next);
    }
    let vessels = vessel_index.len() as u32;
    let replicas = b.positions.div_ceil(tracks.len() as u64);
    writeln!(
        out,
        "building {} positions: {} replicas of {} positions of {vessels} vessels from {}",
        b.positions,
        replicas,
        tracks.len(),
        b.tracks.display()
    )?;
    let mut store = Store::open(&b.store)?;
    let source = store.source(&format!("bench:{}", b.tracks.display()), "bench", &Label::public_ais())?;
    let started = Instant::now();
    let mut w = store.writer()?;
    let mut written = 0u64;
    'outer: for k in 0..replicas {
        let day_offset = (k % 7) as i64 * 86_400_000;
        let lon_shift = (k as f64 * 360.0 / replicas as f64) % 360.0;
        let mmsi_base = 100_000_000 + (k as u32) * vessels.next_power_of_two().max(1024);
        for p in &tracks {
            let mut q = *p;
            q.mmsi = mmsi_base + vessel_index[&p.mmsi];
            q.time_ms += day_offset;
            q.lon = (q.lon + lon_shift + 540.0) % 360.0 - 180.0;
            w.position(StoredPosition::from_position(&q, Provenance { source, chunk: 0, line: 0 }));
            written += 1;
            if written >= b.positions {
                break 'outer;
            }
            if w.buffered() >= 4_000_000 {
                w.commit()?;
            }
        }
    }
    w.commit()?;
    let secs = started.elapsed().as_secs_f64();
    writeln!(out, "built in {secs:.1} s ({:.0} positions/s)", written as f64 / secs)?;
    Ok(())
}

/// The default tracks: the US coastal day when ../shared is beside the repository.
pub fn default_tracks(repo: &Path) -> PathBuf {
    let shared = repo.join("../shared/data/ais/marinecadastre_us_coastal_2020-06-30_positions.csv.gz");
    if shared.exists() {
        shared
    } else {
        repo.join("data/ais/marinecadastre_virginiabeach_2020-06-04_to_06_positions.csv.gz")
    }
}
