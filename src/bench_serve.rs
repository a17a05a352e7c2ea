//! `sealane bench serve`: a live node under load. A `sealane serve` child
//! process listens for NMEA over TCP; this process sends position reports at
//! a fixed rate (each stamped, in its tag block, with the millisecond it was
//! sent) and holds WebSocket clients on `/api/live`. Reported: messages sent,
//! stored (after a graceful stop; nothing may be missing), the child's memory
//! over time, and the delay from sending a sentence to its delivery on each
//! WebSocket (percentiles over every delivered position of every client).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sealane_ais::message::PositionReport;
use sealane_ais::{Framing, Message, encode_sentences};
use sealane_store::Store;

/// Settings.
#[derive(Debug, Clone)]
pub struct ServeBench {
    /// Messages per second to send.
    pub rate: u64,
    /// Seconds to send for.
    pub seconds: u64,
    /// WebSocket clients.
    pub clients: usize,
    /// Of which this many ask for an area (a quarter of the traffic), the rest for everything.
    pub area_clients: usize,
    /// Distinct vessels (each reports in turn).
    pub vessels: u32,
    /// Store file (removed first).
    pub store: PathBuf,
    /// `serve --commit-interval`, seconds.
    pub commit_interval: f64,
    /// MMSI of vessel 0 (the others follow). The default's Korean MID gives valid
    /// identities; one with an unassigned MID (e.g. 100000000) makes every vessel
    /// raise an identity event on first sight: a burst of events.
    pub mmsi_base: u32,
}

/// Latencies in milliseconds, bucketed by the millisecond up to 60 s.
#[derive(Debug, Clone)]
struct Histogram(Vec<u64>);

impl Histogram {
    fn new() -> Histogram {
        Histogram(vec![0; 60_001])
    }
    fn add(&mut self, ms: i64) {
        let i = ms.clamp(0, 60_000) as usize;
        self.0[i] += 1;
    }
    fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a += b;
        }
    }
    fn count(&self) -> u64 {
        self.0.iter().sum()
    }
    fn quantile(&self, q: f64) -> u64 {
        let target = (self.count() as f64 * q).ceil() as u64;
        let mut seen = 0;
        for (ms, n) in self.0.iter().enumerate() {
            seen += n;
            if seen >= target.max(1) {
                return ms as u64;
            }
        }
        60_000
    }
}

fn now_ms() -> i64 {
    sealane_ingest::net::now_ms()
}

/// One NMEA line of vessel `i`'s report at `t_ms`, stamped `c:` in milliseconds.
fn sentence(i: u32, vessels: u32, mmsi_base: u32, t_ms: i64, out: &mut Vec<u8>, body: &mut Vec<u8>) {
    // Vessels spread over the Korean seas, each drifting east a little every report.
    let lat = 30.0 + (i % 1000) as f64 * 0.01;
    let lon = 120.0 + (i / 1000) as f64 * (15.0 / (vessels / 1000 + 1) as f64) + (t_ms % 600_000) as f64 * 1e-8;
    let m = Message::Position(PositionReport {
        msg_type: 1,
        mmsi: mmsi_base + i,
        speed: 100,
        lat: (lat * 600_000.0) as i32,
        lon: (lon * 600_000.0) as i32,
        course: 900,
        heading: 90,
        second: ((t_ms / 1000) % 60) as u8,
        ..PositionReport::default()
    });
    body.clear();
    encode_sentences(&m, &Framing::default(), body);
    let tag = format!("c:{t_ms},s:load");
    let cs = tag.bytes().fold(0u8, |a, b| a ^ b);
    let _ = write!(out, "\\{tag}*{cs:02X}\\");
    out.extend_from_slice(body);
}

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Scans a positions frame for `"t":` times without parsing the JSON; returns
/// how many there were and the largest delay.
fn frame_times(frame: &str, now: i64, h: &mut Histogram) -> (u64, i64) {
    let (mut n, mut worst) = (0, 0);
    for part in frame.split("\"t\":").skip(1) {
        let digits: &str = &part[..part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len())];
        if let Ok(t) = digits.parse::<i64>() {
            h.add(now - t);
            worst = worst.max(now - t);
            n += 1;
        }
    }
    (n, worst)
}

/// Runs the load; the report goes to `out`.
pub fn serve_bench(b: &ServeBench, out: &mut dyn Write) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", b.store.display()));
    }
    let feed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["serve", "--store"])
        .arg(&b.store)
        .args(["--listen", "127.0.0.1:0", &format!("tcp-listen://{feed}")])
        .args(["--commit-interval", &b.commit_interval.to_string()])
        .stderr(Stdio::piped())
        .spawn()
        .context("starting sealane serve")?;
    let pid = child.id();
    let mut err = BufReader::new(child.stderr.take().context("serve's stderr")?);
    let mut line = String::new();
    err.read_line(&mut line)?;
    let Some(http) = line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_string) else {
        bail!("sealane serve did not start: {line}");
    };
    let log = Arc::new(Mutex::new(String::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for l in err.lines().map_while(Result::ok) {
            log2.lock().unwrap_or_else(|e| e.into_inner()).push_str(&(l + "\n"));
        }
    });
    std::thread::sleep(Duration::from_millis(500));

    // WebSocket clients.
    let stop = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for c in 0..b.clients {
        let area = c < b.area_clients;
        let url =
            if area { format!("ws://{http}/api/live?bbox=120,30,135,32.5") } else { format!("ws://{http}/api/live") };
        let (mut ws, _) = tungstenite::connect(&url).with_context(|| format!("connecting {url}"))?;
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_mut() {
            s.set_read_timeout(Some(Duration::from_millis(200)))?;
        }
        let (stop, dropped) = (stop.clone(), dropped.clone());
        let t0 = now_ms();
        clients.push(std::thread::spawn(move || -> (Histogram, u64, Vec<i64>, (u64, i64)) {
            let mut h = Histogram::new();
            let mut n = 0;
            // Events received, and when the last of them arrived (ms from the start).
            let (mut events, mut events_last) = (0u64, 0i64);
            // The worst delay in each second of the run.
            let mut worst_by_second: Vec<i64> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match ws.read() {
                    Ok(tungstenite::Message::Text(t)) => {
                        if t.starts_with("{\"type\":\"positions\"") {
                            let now = now_ms();
                            let (k, worst) = frame_times(t.as_str(), now, &mut h);
                            n += k;
                            let sec = ((now - t0) / 1000).max(0) as usize;
                            if worst_by_second.len() <= sec {
                                worst_by_second.resize(sec + 1, 0);
                            }
                            worst_by_second[sec] = worst_by_second[sec].max(worst);
                        } else if t.starts_with("{\"type\":\"dropped\"") {
                            dropped.fetch_add(1, Ordering::Relaxed);
                        } else if let Ok(v) = serde_json::from_str::<serde_json::Value>(t.as_str()) {
                            if v["type"] == "events" {
                                events += v["items"].as_array().map_or(0, Vec::len) as u64;
                                events_last = now_ms() - t0;
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(tungstenite::Error::Io(e))
                        if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                    Err(_) => break,
                }
            }
            (h, n, worst_by_second, (events, events_last))
        }));
    }

    // The sender, paced in 10 ms steps.
    let mut sock = TcpStream::connect(feed).context("connecting to serve's feed")?;
    sock.set_nodelay(true)?;
    let started = Instant::now();
    let mut sent: u64 = 0;
    let (mut buf, mut body) = (Vec::with_capacity(1 << 20), Vec::with_capacity(128));
    let mut rss: Vec<(f64, u64)> = Vec::new();
    let mut next_rss = Duration::ZERO;
    let total = b.rate * b.seconds;
    while sent < total {
        let elapsed = started.elapsed();
        let due = ((elapsed.as_secs_f64() * b.rate as f64) as u64).min(total);
        if due > sent {
            buf.clear();
            let t = now_ms();
            for k in sent..due {
                sentence((k % b.vessels as u64) as u32, b.vessels, b.mmsi_base, t, &mut buf, &mut body);
            }
            sock.write_all(&buf).context("sending to serve")?;
            sent = due;
        }
        if elapsed >= next_rss {
            if let Some(k) = rss_kib(pid) {
                rss.push((elapsed.as_secs_f64(), k));
            }
            next_rss += Duration::from_secs(5);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    sock.flush()?;
    let send_secs = started.elapsed().as_secs_f64();
    drop(sock);
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let mut h = Histogram::new();
    let mut delivered = Vec::new();
    let mut worst_by_second: Vec<i64> = Vec::new();
    let (mut events, mut events_last) = (Vec::new(), 0i64);
    for c in clients {
        let (ch, n, w, (e, e_last)) = c.join().map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        h.merge(&ch);
        delivered.push(n);
        events.push(e);
        events_last = events_last.max(e_last);
        if worst_by_second.len() < w.len() {
            worst_by_second.resize(w.len(), 0);
        }
        for (a, b) in worst_by_second.iter_mut().zip(w) {
            *a = (*a).max(b);
        }
    }
    // Wait until serve has stored what it was sent (or stops making progress),
    // then stop it gracefully: the pipeline commits what it holds, then the server stops.
    let drain_started = Instant::now();
    let mut last = (0u64, Instant::now());
    loop {
        let stored = Store::open_read_only(&b.store).and_then(|s| s.stats()).map(|s| s.positions).unwrap_or(0);
        if stored >= sent || last.1.elapsed() > Duration::from_secs(15) {
            break;
        }
        if stored > last.0 {
            last = (stored, Instant::now());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let drain = drain_started.elapsed().as_secs_f64();
    let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
    let status = child.wait()?;
    let store = Store::open_read_only(&b.store)?;
    let stored = store.stats()?.positions;
    let peak = rss.iter().map(|r| r.1).max().unwrap_or(0);
    let after_warmup: Vec<u64> = rss.iter().filter(|r| r.0 >= 30.0).map(|r| r.1).collect();
    writeln!(
        out,
        "sealane bench serve: {} s at {} messages/s, {} vessels, {} WebSocket clients ({} with an area)",
        b.seconds, b.rate, b.vessels, b.clients, b.area_clients
    )?;
    writeln!(out, "  sent {sent} messages in {send_secs:.1} s ({:.0}/s achieved)", sent as f64 / send_secs)?;
    writeln!(
        out,
        "  stored {drain:.1} s after the last send, then a graceful stop: {stored} positions; missing: {} (serve exited {status})",
        sent.saturating_sub(stored)
    )?;
    writeln!(
        out,
        "  serve RSS: peak {:.0} MB; after 30 s min {:.0} MB, max {:.0} MB, last {:.0} MB ({} samples, every 5 s)",
        peak as f64 / 1024.0,
        after_warmup.iter().min().copied().unwrap_or(0) as f64 / 1024.0,
        after_warmup.iter().max().copied().unwrap_or(0) as f64 / 1024.0,
        rss.last().map_or(0, |r| r.1) as f64 / 1024.0,
        rss.len()
    )?;
    let every_minute: Vec<String> = rss
        .iter()
        .filter(|(t, _)| (*t as u64) % 60 == 0 || *t < 1.0)
        .map(|(t, k)| format!("{:.0}s {:.0} MB", t, *k as f64 / 1024.0))
        .collect();
    writeln!(out, "  serve RSS each minute: {}", every_minute.join(", "))?;
    delivered.sort_unstable();
    writeln!(
        out,
        "  WebSocket deliveries: {} positions over all clients (per client min {}, max {}); lag notices: {}",
        h.count(),
        delivered.first().copied().unwrap_or(0),
        delivered.last().copied().unwrap_or(0),
        dropped.load(Ordering::Relaxed)
    )?;
    events.sort_unstable();
    writeln!(
        out,
        "  events delivered: per client min {}, max {}; the last at {:.1} s after the clients connected",
        events.first().copied().unwrap_or(0),
        events.last().copied().unwrap_or(0),
        events_last as f64 / 1000.0
    )?;
    if h.count() == 0 {
        writeln!(out, "  sent-to-delivered latency: no deliveries")?;
    } else {
        writeln!(
            out,
            "  sent-to-delivered latency: p50 {} ms, p90 {} ms, p99 {} ms, p99.9 {} ms, max {} ms",
            h.quantile(0.5),
            h.quantile(0.9),
            h.quantile(0.99),
            h.quantile(0.999),
            h.quantile(1.0)
        )?;
    }
    let slow: Vec<String> =
        worst_by_second.iter().enumerate().filter(|(_, w)| **w > 100).map(|(s, w)| format!("{s}s:{w}ms")).collect();
    writeln!(
        out,
        "  seconds of the run whose worst delivery took over 100 ms: {} of {}{}{}",
        slow.len(),
        worst_by_second.len(),
        if slow.is_empty() { "" } else { " — " },
        slow.join(" ")
    )?;
    let log = log.lock().unwrap_or_else(|e| e.into_inner());
    if stored < sent {
        writeln!(out, "  serve's log:\n{log}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_sentences_decode_with_their_millisecond_stamp() {
        let (mut out, mut body) = (Vec::new(), Vec::new());
        sentence(7, 50_000, 440_000_000, 1_772_323_200_123, &mut out, &mut body);
        let mut d = sealane_ais::Decoder::new(sealane_ais::Options::default());
        let line = out.split(|&b| b == b'\n').next().unwrap();
        let m = d.feed(line).expect("decodes").expect("one message");
        assert_eq!(m.meta.received.map(|r| r.ms), Some(1_772_323_200_123));
        let mut h = Histogram::new();
        assert_eq!(frame_times("{\"items\":[{\"mmsi\":1,\"t\":100,\"rx\":5},{\"t\":90}]}", 110, &mut h), (2, 20));
        assert_eq!((h.quantile(0.5), h.quantile(1.0)), (10, 20));
    }
}
