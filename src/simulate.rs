//! `sealane simulate`: runs a scenario into files (NMEA with tag blocks,
//! SAR detections, ground truth) or live over TCP at accelerated time.

use std::io::{BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sealane_sim::sar::{self, CSV_HEADER, Detection};
use sealane_sim::truth::TruthEvent;
use sealane_sim::{Scenario, SimStats, Simulation};
use serde_json::json;

/// Reads a scenario: a built-in name (`korea`, ...) or a TOML file.
pub fn load_scenario(spec: &str) -> Result<Scenario> {
    if Path::new(spec).is_file() {
        let text = std::fs::read_to_string(spec).with_context(|| format!("reading scenario {spec}"))?;
        return Scenario::from_toml(&text, spec).map_err(anyhow::Error::msg);
    }
    Scenario::built_in(spec).map_err(anyhow::Error::msg)
}

/// Where a run's outputs go.
#[derive(Debug, Default, Clone)]
pub struct SimulateConfig {
    /// NMEA lines (`-` for stdout).
    pub nmea: Option<PathBuf>,
    /// Ground truth, JSON lines in the event contract.
    pub truth: Option<PathBuf>,
    /// SAR detections, CSV.
    pub detections: Option<PathBuf>,
    /// Per-detection truth (which vessel each detection is), JSON lines.
    pub detections_truth: Option<PathBuf>,
    /// Serve the NMEA live on this TCP address instead of writing it at once.
    pub serve: Option<String>,
    /// Simulated seconds per wall second when serving.
    pub speed: f64,
}

/// What a run produced.
#[derive(Debug, Clone, Default)]
pub struct SimulateSummary {
    /// Counts.
    pub stats: SimStats,
    /// Vessels simulated.
    pub vessels: usize,
    /// Truth events.
    pub truth: usize,
    /// SAR detections.
    pub detections: usize,
    /// Wall time.
    pub elapsed: Duration,
}

fn create(path: &Path) -> Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout())));
    }
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(Box::new(BufWriter::with_capacity(1 << 20, f)))
}

/// Runs `scenario` to its end; writes what `cfg` asks for.
pub fn run(
    scenario: Scenario,
    cfg: &SimulateConfig,
    err: &mut dyn Write,
    stop: Arc<AtomicBool>,
) -> Result<SimulateSummary> {
    let started = Instant::now();
    let mut sim = Simulation::new(scenario).map_err(anyhow::Error::msg)?;
    let (detections, dark) = sar::scenes(&sim);
    let mut nmea = cfg.nmea.as_deref().map(create).transpose()?;
    let mut buf = Vec::with_capacity(1 << 20);
    let truth = if let Some(addr) = &cfg.serve {
        let listener = TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
        writeln!(
            err,
            "sealane simulate: serving scenario {} on tcp://{} at {}x real time (connect with `sealane ingest tcp://{}`)",
            sim.scenario.name,
            listener.local_addr()?,
            cfg.speed,
            listener.local_addr()?
        )?;
        serve(&mut sim, listener, cfg.speed, nmea.as_deref_mut(), &stop, false)?
    } else {
        // Hour by hour, so memory stays bounded whatever the scenario's size.
        while !sim.finished() && !stop.load(Ordering::Relaxed) {
            let next = sim.now_ms() + 3_600_000;
            sim.run_until(next, &mut buf);
            if let Some(w) = nmea.as_mut() {
                w.write_all(&buf)?;
            }
            buf.clear();
        }
        let t = sim.finish(&mut buf);
        if let Some(w) = nmea.as_mut() {
            w.write_all(&buf)?;
        }
        t
    };
    if let Some(w) = nmea.as_mut() {
        w.flush()?;
    }
    let all_truth = with_dark(truth, dark);
    if let Some(p) = &cfg.truth {
        write_truth(p, &all_truth)?;
    }
    if let Some(p) = &cfg.detections {
        write_detections(p, &detections)?;
    }
    if let Some(p) = &cfg.detections_truth {
        let mut w = create(p)?;
        for d in &detections {
            let v = d.truth.map(|(i, transmitting)| (&sim.vessels[i], transmitting));
            let line = json!({
                "detection_id": d.id,
                "truth": match v { None => "false_alarm", Some((_, true)) => "vessel", Some((_, false)) => "dark" },
                "mmsi": v.map(|(v, _)| v.mmsi),
                "length_m": v.map(|(v, _)| v.length_m),
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;
    }
    Ok(SimulateSummary {
        stats: sim.stats.clone(),
        vessels: sim.vessels.len(),
        truth: all_truth.len(),
        detections: detections.len(),
        elapsed: started.elapsed(),
    })
}

/// The AIS truth and the dark-vessel truth of the SAR scenes, in time order.
pub fn with_dark(mut truth: Vec<TruthEvent>, dark: Vec<TruthEvent>) -> Vec<TruthEvent> {
    truth.extend(dark);
    truth.sort_by(|a, b| a.start_ms.cmp(&b.start_ms).then(a.kind.cmp(b.kind)));
    truth
}

/// Writes truth events as contract JSON lines.
pub fn write_truth(path: &Path, truth: &[TruthEvent]) -> Result<()> {
    let mut w = create(path)?;
    for (n, e) in truth.iter().enumerate() {
        writeln!(w, "{}", e.to_json(n + 1))?;
    }
    w.flush()?;
    Ok(())
}

/// Writes SAR detections as CSV.
pub fn write_detections(path: &Path, detections: &[Detection]) -> Result<()> {
    let mut w = create(path)?;
    writeln!(w, "{CSV_HEADER}")?;
    for d in detections {
        writeln!(w, "{}", d.csv_row())?;
    }
    w.flush()?;
    Ok(())
}

/// Streams the simulation to every client of `listener` at `speed` times real
/// time; returns the truth at the end. A client that cannot keep up (its
/// socket buffer stays full for a second) is dropped: it must never slow
/// the others down. With `wait_for_client`, the clock starts when the first
/// client connects, so that it hears the feed from its first line.
pub fn serve(
    sim: &mut Simulation,
    listener: TcpListener,
    speed: f64,
    mut copy: Option<&mut (dyn Write + '_)>,
    stop: &AtomicBool,
    wait_for_client: bool,
) -> Result<Vec<TruthEvent>> {
    let clients: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
    let accepting = clients.clone();
    listener.set_nonblocking(true)?;
    let done = Arc::new(AtomicBool::new(false));
    let done2 = done.clone();
    let acceptor = std::thread::Builder::new().name("sim-accept".into()).spawn(move || {
        while !done2.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = s.set_nodelay(true);
                    accepting.lock().unwrap_or_else(|e| e.into_inner()).push(s);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    })?;
    while wait_for_client
        && clients.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
        && !stop.load(Ordering::Relaxed)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let wall_start = Instant::now();
    let sim_start = sim.now_ms();
    let mut buf = Vec::with_capacity(1 << 16);
    while !sim.finished() && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        let target = sim_start + (wall_start.elapsed().as_secs_f64() * speed * 1000.0) as i64;
        sim.run_until(target, &mut buf);
        send(&clients, &buf);
        if let Some(w) = copy.as_mut() {
            w.write_all(&buf)?;
        }
        buf.clear();
    }
    let truth = sim.finish(&mut buf);
    send(&clients, &buf);
    if let Some(w) = copy.as_mut() {
        w.write_all(&buf)?;
    }
    done.store(true, Ordering::Relaxed);
    let _ = acceptor.join();
    // Closing the sockets tells clients the feed has ended.
    clients.lock().unwrap_or_else(|e| e.into_inner()).clear();
    Ok(truth)
}

fn send(clients: &Mutex<Vec<TcpStream>>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let mut c = clients.lock().unwrap_or_else(|e| e.into_inner());
    c.retain_mut(|s| s.write_all(bytes).is_ok());
}

/// Writes the end-of-run summary.
pub fn write_summary(err: &mut dyn Write, s: &SimulateSummary) -> Result<()> {
    let st = &s.stats;
    writeln!(
        err,
        "sealane simulate: {} vessels, {} transmissions ({} heard, {} out of every receiver's reach and skipped), {} NMEA lines, {} truth events, {} SAR detections in {:.2} s",
        s.vessels,
        st.transmissions,
        st.heard,
        st.skipped,
        st.lines,
        s.truth,
        s.detections,
        s.elapsed.as_secs_f64()
    )?;
    Ok(())
}
