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

/// Real positions, in time order, and each MMSI's index among them.
struct Tracks {
    positions: Vec<sealane_core::Position>,
    vessel_index: std::collections::HashMap<u32, u32>,
}

fn load_tracks(path: &Path) -> Result<Tracks> {
    let input = Input::File(path.to_path_buf());
    let mut n = Normaliser::new(Format::Auto, 0);
    let mut parsed = Vec::new();
    let mut positions: Vec<sealane_core::Position> = Vec::new();
    for_each_line(input.open()?, |_, line| {
        parsed.clear();
        let _ = n.line(line, 0, &mut parsed);
        for p in parsed.drain(..) {
            if let Observation::Position(pos) = p.obs {
                positions.push(pos);
            }
        }
        true
    })
    .with_context(|| format!("reading {}", path.display()))?;
    if positions.is_empty() {
        bail!("{} has no positions", path.display());
    }
    positions.sort_by_key(|p| (p.time_ms, p.mmsi));
    let mut vessel_index = std::collections::HashMap::new();
    for p in &positions {
        let next = vessel_index.len() as u32;
        vessel_index.entry(p.mmsi).or_insert(next);
    }
    Ok(Tracks { positions, vessel_index })
}

/// The allocated maritime identification digits (ship-station MIDs).
fn valid_mids() -> &'static [u32] {
    static MIDS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    MIDS.get_or_init(|| (201..=775).filter(|m| sealane_core::mmsi::flag(m * 1_000_000 + 1).is_some()).collect())
}

impl Tracks {
    fn vessels(&self) -> u32 {
        self.vessel_index.len() as u32
    }

    /// Replica `k` of `p`: its own MMSI, `day_offset` days later, shifted in longitude.
    fn replica(&self, p: &sealane_core::Position, k: u64, replicas: u64, day_offset: i64) -> sealane_core::Position {
        let lon_shift = (k as f64 * 360.0 / replicas as f64) % 360.0;
        let mut q = *p;
        // A valid MMSI per replica (flags taken in turn), so replicas do not all
        // raise invalid-identity events the real tracks do not.
        let mids = valid_mids();
        let k = k as u32;
        let serial =
            (k / mids.len() as u32) * self.vessels().next_power_of_two().max(1024) + self.vessel_index[&p.mmsi];
        q.mmsi = mids[(k as usize) % mids.len()] * 1_000_000 + serial % 1_000_000;
        q.time_ms += day_offset * 86_400_000;
        q.lon = (q.lon + lon_shift + 540.0) % 360.0 - 180.0;
        q
    }
}

fn build(b: &StoreBench, out: &mut dyn Write) -> Result<()> {
    let t = load_tracks(&b.tracks)?;
    let (tracks, vessels) = (&t.positions, t.vessels());
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
        for p in tracks {
            let q = t.replica(p, k, replicas, (k % 7) as i64);
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

/// Settings of a detector benchmark.
#[derive(Debug, Clone)]
pub struct DetectBench {
    /// Real tracks to replay.
    pub tracks: PathBuf,
    /// Positions to run through the detectors.
    pub positions: u64,
    /// At least this many distinct vessels (more replicas of the tracks).
    pub vessels: u64,
    /// Times to run (the machine is shared: the median is reported).
    pub runs: usize,
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Runs every detector over replayed real tracks on one thread: positions
/// per second (detector time only; generating the stream is not counted),
/// events, and memory per vessel.
pub fn detect_bench(b: &DetectBench, out: &mut dyn Write) -> Result<()> {
    let t = load_tracks(&b.tracks)?;
    let per_replica = t.positions.len() as u64;
    // Concurrent replicas (each shifted in longitude) give the number of vessels at sea
    // at once; laps replay the day on following days, each lap with new MMSIs.
    let replicas = b.vessels.div_ceil(t.vessels() as u64).max(1);
    let laps = b.positions.div_ceil(per_replica * replicas);
    writeln!(
        out,
        "{} positions through every detector: {} of {} positions of {} vessels ({}), {} at once{}",
        b.positions,
        if laps > 1 { format!("{laps} days of replays") } else { "replays".to_string() },
        per_replica,
        t.vessels(),
        b.tracks.display(),
        replicas * t.vessels() as u64,
        if replicas > 1 { format!(" ({replicas} copies shifted in longitude)") } else { String::new() }
    )?;
    let mut rates = Vec::new();
    let runs = b.runs.max(1);
    let mut memory = None;
    for run in 0..runs {
        let r = detect_run(b, &t, replicas, laps)?;
        // Memory is measured on the first run, before later runs reuse the allocator's pages.
        memory.get_or_insert((r.vessels, r.rss_indexes_kb, r.rss_after_kb));
        let rate = r.positions as f64 / r.secs / 1e6;
        writeln!(out, "run {}: {} positions in {:.2} s = {rate:.2} M positions/s", run + 1, r.positions, r.secs)?;
        rates.push(rate);
        if run + 1 < runs {
            continue;
        }
        rates.sort_by(f64::total_cmp);
        writeln!(
            out,
            "detectors: median {:.2} M positions/s over {} runs (min {:.2}, max {:.2}), one thread",
            rates[rates.len() / 2],
            rates.len(),
            rates[0],
            rates[rates.len() - 1]
        )?;
        let counts: Vec<String> = r.counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(out, "events: {}", counts.join(", "))?;
        let (vessels, before, after) = memory.unwrap_or_default();
        writeln!(
            out,
            "memory (first run): {vessels} vessels tracked; RSS {:.0} MB with land, ports, zones and watchlist \
             loaded, {:.0} MB after the run: {:.0} bytes per vessel (fixed per-vessel state: {} bytes)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 * 1024.0 / vessels.max(1) as f64,
            sealane_detect::Detectors::bytes_per_vessel()
        )?;
    }
    Ok(())
}

struct DetectRun {
    positions: u64,
    secs: f64,
    counts: std::collections::BTreeMap<&'static str, u64>,
    vessels: u64,
    rss_indexes_kb: u64,
    rss_after_kb: u64,
}

fn detect_run(b: &DetectBench, t: &Tracks, replicas: u64, laps: u64) -> Result<DetectRun> {
    use sealane_detect::{Config, Detectors, Watchlist, Zones};
    let mut d =
        Detectors::new(Config::default(), Zones::defaults(), Watchlist::default_list(), vec![Label::public_ais()]);
    let rss_indexes_kb = rss_kb("VmRSS:");
    let mut events = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    let mut chunk: Vec<sealane_core::Position> = Vec::with_capacity(1 << 20);
    let mut busy = Duration::ZERO;
    let mut done = 0u64;
    'outer: for lap in 0..laps {
        for p in &t.positions {
            for k in 0..replicas {
                let mut q = t.replica(p, lap * replicas + k, replicas, lap as i64);
                // Longitude shifts by replica within the lap only.
                q.lon = t.replica(p, k, replicas, 0).lon;
                chunk.push(q);
                if chunk.len() == chunk.capacity() || done + chunk.len() as u64 >= b.positions {
                    let started = Instant::now();
                    for q in &chunk {
                        d.position(q, 0, sealane_core::Origin::default(), &mut events);
                    }
                    busy += started.elapsed();
                    done += chunk.len() as u64;
                    chunk.clear();
                    for e in events.drain(..) {
                        *counts.entry(e.kind.name()).or_insert(0u64) += 1;
                    }
                    if done >= b.positions {
                        break 'outer;
                    }
                }
            }
        }
    }
    let started = Instant::now();
    d.finish(&mut events);
    busy += started.elapsed();
    for e in events.drain(..) {
        *counts.entry(e.kind.name()).or_insert(0u64) += 1;
    }
    Ok(DetectRun {
        positions: done,
        secs: busy.as_secs_f64(),
        counts,
        vessels: d.vessels() as u64,
        rss_indexes_kb,
        rss_after_kb: rss_kb("VmRSS:"),
    })
}
