//! Crash safety of `sealane ingest`: the real binary is killed with SIGKILL
//! at spread-out moments (24 runs, from right after start to the final
//! commit). Kills are placed by progress (after the n-th acknowledgement, plus
//! a jitter) rather than by wall time, so a loaded machine still kills mid-run. After each kill the store must open, pass `PRAGMA
//! integrity_check`, and hold every record acknowledged before the kill:
//! at least the acknowledged number of positions, every raw line through the
//! acknowledged line, and the positions of the acknowledged lines themselves.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sealane_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_sealane");

/// Real sentences from the corpus, each with a tag block time, `n` lines.
fn write_input(path: &Path, n: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/raw");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        lines.extend(text.lines().filter(|l| l.starts_with('!')).map(str::to_string));
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let tag = format!("s:crash,c:{}", 1_600_000_000 + i / 100);
        let cs = sealane_ais::nmea::nmea_checksum(tag.as_bytes());
        writeln!(out, "\\{tag}*{cs:02X}\\{}", lines[i % lines.len()]).unwrap();
    }
}

/// A directory of the test's own with `lines` lines of input in it.
fn test_input(name: &str, lines: usize) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("sealane-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.nmea");
    write_input(&input, lines);
    (dir, input)
}

#[derive(Debug, Clone, Copy, Default)]
struct Ack {
    through_line: u64,
    positions: u64,
}

fn parse_ack(line: &str) -> Option<Ack> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(Ack { through_line: v["through_line"].as_u64()?, positions: v["positions"].as_u64()? })
}

/// When to kill: once `after_acks` acknowledgements were read, wait `jitter`.
#[derive(Clone, Copy)]
struct Kill {
    after_acks: usize,
    jitter: Duration,
}

/// Runs ingest and kills it as `kill` says (or lets it finish); returns the last acknowledgement.
fn run_and_kill(input: &Path, store: &Path, kill: Option<Kill>) -> (Ack, usize, bool) {
    let mut child = Command::new(BIN)
        .args(["ingest", "-q", "--acks", "-", "--commit-every", "4000", "--window", "1", "--store"])
        .arg(store)
        .arg(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(a) = parse_ack(&line) {
                let _ = tx.send(a);
            }
        }
    });
    let mut last = Ack::default();
    let mut acks = 0;
    let mut armed_at: Option<Instant> = None;
    let mut killed = false;
    loop {
        match rx.recv_timeout(Duration::from_micros(200)) {
            Ok(a) => {
                last = a;
                acks += 1;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(k) = kill {
            if acks >= k.after_acks && armed_at.is_none() {
                armed_at = Some(Instant::now());
            }
        }
        let due = kill.zip(armed_at).is_some_and(|(k, at)| at.elapsed() >= k.jitter);
        if due && !killed {
            child.kill().unwrap(); // SIGKILL
            killed = true;
        }
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    // Acknowledgements already read are the ones the process made before it died.
    while let Ok(a) = rx.try_recv() {
        last = a;
        acks += 1;
    }
    (last, acks, killed && !status.success())
}

/// Every stored position as (mmsi, time, lat, lon) with its input line.
fn positions(store: &Store) -> Vec<((u32, i64, i32, i32), u64)> {
    let world = sealane_store::Bbox { west: -180.0, south: -90.0, east: 180.0, north: 90.0 };
    let mut first_lines = std::collections::HashMap::new();
    store
        .area(world, i64::MIN / 2, i64::MAX / 2)
        .unwrap()
        .into_iter()
        .map(|p| {
            let first = *first_lines.entry(p.provenance.chunk).or_insert_with(|| {
                let at0 = sealane_store::Provenance { line: 0, ..p.provenance };
                store.provenance_line(&at0).unwrap().expect("provenance resolves").1
            });
            ((p.mmsi, p.time_ms, p.lat_e7, p.lon_e7), first + p.provenance.line as u64)
        })
        .collect()
}

#[test]
fn killed_ingest_keeps_every_acknowledged_record() {
    let lines = 120_000;
    let (dir, input) = test_input("crash", lines);

    // A full run sets the time scale and the expected totals.
    let full_store = dir.join("full.sqlite");
    let (full_ack, full_acks, _) = run_and_kill(&input, &full_store, None);
    assert_eq!(full_ack.through_line, lines as u64, "a full run acknowledges every line");
    let full = Store::open(&full_store).unwrap();
    let full_positions = full.stats().unwrap().positions;
    let full_list = positions(&full);
    assert_eq!(full_list.len() as u64, full_positions);
    assert_eq!(full_positions, full_ack.positions);
    assert!(full_acks >= 8, "only {full_acks} commits: too few to spread the kills over");

    let runs = 24;
    let mut killed_mid_run = 0;
    for i in 0..runs {
        let store_path = dir.join(format!("run{i}.sqlite"));
        // Spread the kills over the whole run's commits, with a
        // deterministic jitter that lands some kills inside a commit.
        let kill =
            Kill { after_acks: i * full_acks / runs, jitter: Duration::from_micros(((i * 7919) % 13) as u64 * 700) };
        let (ack, _, killed) = run_and_kill(&input, &store_path, Some(kill));
        if killed {
            killed_mid_run += 1;
        }
        // The store opens (recovering the WAL), is sound, and has what was acknowledged.
        let store = Store::open(&store_path).unwrap_or_else(|e| panic!("run {i}: store does not open after kill: {e}"));
        assert_eq!(store.integrity_check().unwrap(), "ok", "run {i}");
        let stats = store.stats().unwrap();
        assert!(
            stats.positions >= ack.positions,
            "run {i}: {} positions stored, {} acknowledged before the kill",
            stats.positions,
            ack.positions
        );
        assert!(
            stats.raw_lines >= ack.through_line,
            "run {i}: raw log has {} lines, {} acknowledged",
            stats.raw_lines,
            ack.through_line
        );
        // Every position the full run derived from an acknowledged line is here.
        let have: HashSet<(u32, i64, i32, i32)> = positions(&store).into_iter().map(|(k, _)| k).collect();
        let missing = full_list.iter().filter(|(k, line)| *line <= ack.through_line && !have.contains(k)).count();
        assert_eq!(
            missing, 0,
            "run {i}: {missing} positions from acknowledged lines (through {}) are missing",
            ack.through_line
        );
        assert!(stats.positions <= full_positions);
        drop(store);
        let _ = std::fs::remove_file(&store_path);
        let _ = std::fs::remove_file(store_path.with_extension("sqlite-wal"));
        let _ = std::fs::remove_file(store_path.with_extension("sqlite-shm"));
    }
    assert!(killed_mid_run >= 20, "only {killed_mid_run} of {runs} runs were killed before finishing");
    std::fs::remove_dir_all(&dir).ok();
}

/// Checks an ingest's raw log line by line against `want` (the input, from global
/// line 1): each chunk's first and last lines and a spread between. Returns the
/// number of chunks.
fn check_raw_log(store_path: &Path, want: &[String]) -> usize {
    let store = Store::open(store_path).unwrap();
    assert_eq!(store.stats().unwrap().raw_lines, want.len() as u64);
    // (chunk id, its first input line), in order: a chunk ends where the next begins.
    let mut chunks = Vec::new();
    for id in 0..1000 {
        if let Some((_, first)) =
            store.provenance_line(&sealane_store::Provenance { source: 0, chunk: id, line: 0 }).unwrap()
        {
            chunks.push((id, first));
        }
    }
    for (i, &(id, first)) in chunks.iter().enumerate() {
        let end = chunks.get(i + 1).map_or(want.len() as u64 + 1, |c| c.1);
        let n = (end - first) as u32;
        // Each read decompresses the chunk: a sample, not every line.
        for k in (0..n).step_by(4099).chain([n - 1]) {
            let got = store.raw_line(id, k).unwrap().unwrap_or_else(|| panic!("chunk {id} line {k}"));
            assert_eq!(String::from_utf8(got).unwrap(), want[(first + k as u64 - 1) as usize], "chunk {id} line {k}");
        }
        assert!(store.raw_line(id, n).unwrap().is_none(), "chunk {id} ends at line {n}");
    }
    chunks.len()
}

/// The raw log of an ingest spanning several chunks holds every line
/// verbatim: chunk buffers go from the reader to the writer and back for reuse,
/// so a buffer not cleared, or handed back while still in use, shows here.
/// Files make full-length chunks; standard input (perhaps a feed piped in)
/// closes one with every batch, so its commits keep a batch's pace.
#[test]
fn raw_log_holds_every_line_across_reused_chunk_buffers() {
    let lines = 300_000;
    let (dir, input) = test_input("rawlog", lines);
    let want: Vec<String> = std::fs::read_to_string(&input).unwrap().lines().map(str::to_string).collect();

    let from_file = dir.join("file.sqlite");
    let status = Command::new(BIN).args(["ingest", "-q", "--store"]).arg(&from_file).arg(&input).status().unwrap();
    assert!(status.success());
    let chunks = check_raw_log(&from_file, &want);
    assert_eq!(chunks, lines.div_ceil(65_536), "chunks of 64 K lines from a file");

    let from_stdin = dir.join("stdin.sqlite");
    let status = Command::new(BIN)
        .args(["ingest", "-q", "--store"])
        .arg(&from_stdin)
        .arg("-")
        .stdin(std::fs::File::open(&input).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let chunks = check_raw_log(&from_stdin, &want);
    assert_eq!(chunks, lines.div_ceil(16_384), "a chunk per 16 K-line batch from standard input");
    std::fs::remove_dir_all(&dir).ok();
}
