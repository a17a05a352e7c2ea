//! NMEA over the network: as a client of a feed (reconnecting with back-off)
//! and as a TCP or UDP listener (the NMEA-over-IP convention is port 10110).
//! Each source runs on its own thread and hands batches of lines, stamped
//! with their arrival time, to a bounded channel: when the consumer falls
//! behind, readers block, and TCP flow control pushes back on the sender.

use std::io::{BufRead, BufReader, ErrorKind};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The default NMEA-over-IP port.
pub const DEFAULT_PORT: u16 = 10110;

/// A network source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetSource {
    /// Connect to a feed (`tcp://host:port`).
    TcpClient(String),
    /// Accept feeds (`tcp-listen://addr:port`).
    TcpListen(String),
    /// Receive datagrams (`udp://addr:port`).
    UdpListen(String),
}

impl NetSource {
    /// Parses `tcp://host:port`, `tcp-listen://addr[:port]` or `udp://addr[:port]`
    /// (listeners default to port 10110). Anything else is `None` (a file path).
    pub fn parse(spec: &str) -> Option<NetSource> {
        let with_port = |a: &str| {
            if a.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
                a.to_string()
            } else {
                format!("{a}:{DEFAULT_PORT}")
            }
        };
        if let Some(a) = spec.strip_prefix("tcp://") {
            Some(NetSource::TcpClient(with_port(a)))
        } else if let Some(a) = spec.strip_prefix("tcp-listen://") {
            Some(NetSource::TcpListen(with_port(a)))
        } else {
            spec.strip_prefix("udp://").map(|a| NetSource::UdpListen(with_port(a)))
        }
    }

    /// A stable name for the source (its spec).
    pub fn name(&self) -> String {
        match self {
            NetSource::TcpClient(a) => format!("tcp://{a}"),
            NetSource::TcpListen(a) => format!("tcp-listen://{a}"),
            NetSource::UdpListen(a) => format!("udp://{a}"),
        }
    }
}

/// A line received, with its arrival time and peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetLine {
    /// The line, without terminator.
    pub bytes: Vec<u8>,
    /// Arrival time, ms since the epoch.
    pub arrival_ms: i64,
    /// The peer it came from.
    pub peer: String,
}

/// Something worth telling the operator (connects, disconnects, errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetEvent {
    /// Source name.
    pub source: String,
    /// What happened.
    pub what: String,
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Lines are sent in batches of at most this many, or at least every [`BATCH_WAIT`].
const BATCH_LINES: usize = 1024;
const BATCH_WAIT: Duration = Duration::from_millis(100);
/// A drained socket's lines are handed on at most this often.
const FLUSH_SPACING: Duration = Duration::from_millis(5);

struct Batcher {
    tx: SyncSender<Vec<NetLine>>,
    batch: Vec<NetLine>,
    since: Instant,
}

impl Batcher {
    fn push(&mut self, l: NetLine) -> bool {
        self.batch.push(l);
        if self.batch.len() >= BATCH_LINES || self.since.elapsed() >= BATCH_WAIT { self.flush() } else { true }
    }

    fn flush(&mut self) -> bool {
        self.since = Instant::now();
        if self.batch.is_empty() {
            return true;
        }
        self.tx.send(std::mem::take(&mut self.batch)).is_ok()
    }
}

/// Starts a source on its own thread(s). Lines go to `tx` in batches; notable
/// events go to `events`. It runs until `stop` is set or `tx` is closed.
pub fn spawn(
    src: NetSource,
    tx: SyncSender<Vec<NetLine>>,
    events: SyncSender<NetEvent>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    let name = src.name();
    let event = move |what: String| {
        let _ = events.try_send(NetEvent { source: name.clone(), what });
    };
    match src {
        NetSource::TcpClient(addr) => Ok(std::thread::spawn(move || tcp_client(&addr, tx, &event, &stop))),
        NetSource::TcpListen(addr) => {
            let listener = TcpListener::bind(&addr)?;
            listener.set_nonblocking(true)?;
            event(format!("listening on tcp {}", listener.local_addr()?));
            Ok(std::thread::spawn(move || tcp_listen(listener, tx, event, &stop)))
        }
        NetSource::UdpListen(addr) => {
            let sock = UdpSocket::bind(&addr)?;
            sock.set_read_timeout(Some(Duration::from_millis(200)))?;
            event(format!("listening on udp {}", sock.local_addr()?));
            Ok(std::thread::spawn(move || udp_listen(sock, tx, &event, &stop)))
        }
    }
}

fn read_lines(stream: TcpStream, peer: &str, b: &mut Batcher, stop: &AtomicBool) -> std::io::Result<()> {
    // Short: a batch held back below (flushed less than FLUSH_SPACING ago) waits at most this.
    stream.set_read_timeout(Some(Duration::from_millis(10)))?;
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut line = Vec::with_capacity(128);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        match r.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    while matches!(line.last(), Some(b'\n' | b'\r')) {
                        line.pop();
                    }
                    let bytes = std::mem::replace(&mut line, Vec::with_capacity(128));
                    if !b.push(NetLine { bytes, arrival_ms: now_ms(), peer: peer.to_string() }) {
                        return Ok(());
                    }
                    // Everything the socket had is read: hand it on now rather than wait
                    // for a full batch (a live view should not lag a quiet feed), but not
                    // in batches of a few lines under a fast feed.
                    if r.buffer().is_empty() && b.since.elapsed() >= FLUSH_SPACING && !b.flush() {
                        return Ok(());
                    }
                }
                // Otherwise a partial line timed out: keep it and read on.
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if !b.flush() {
                    return Ok(());
                }
            }
            Err(e) => return Err(e),
        }
    }
}

fn tcp_client(addr: &str, tx: SyncSender<Vec<NetLine>>, event: &dyn Fn(String), stop: &AtomicBool) {
    let mut backoff = Duration::from_millis(100);
    let mut b = Batcher { tx, batch: Vec::new(), since: Instant::now() };
    while !stop.load(Ordering::Relaxed) {
        match TcpStream::connect(addr) {
            Ok(s) => {
                event(format!("connected to {addr}"));
                backoff = Duration::from_millis(100);
                let result = read_lines(s, addr, &mut b, stop);
                if !b.flush() {
                    return;
                }
                match result {
                    Ok(()) if stop.load(Ordering::Relaxed) => return,
                    Ok(()) => event(format!("{addr} closed the connection; reconnecting")),
                    Err(e) => event(format!("{addr}: {e}; reconnecting")),
                }
            }
            Err(e) => event(format!("cannot connect to {addr}: {e}; retrying in {} ms", backoff.as_millis())),
        }
        // Back off exponentially (to 30 s), in slices so that a stop is noticed.
        let until = Instant::now() + backoff;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

fn tcp_listen(
    listener: TcpListener,
    tx: SyncSender<Vec<NetLine>>,
    event: impl Fn(String) + Send + Clone + 'static,
    stop: &Arc<AtomicBool>,
) {
    let mut clients = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((s, peer)) => {
                let _ = s.set_nonblocking(false);
                let (tx, stop, event) = (tx.clone(), stop.clone(), event.clone());
                event(format!("client {peer} connected"));
                clients.push(std::thread::spawn(move || {
                    let mut b = Batcher { tx, batch: Vec::new(), since: Instant::now() };
                    let r = read_lines(s, &peer.to_string(), &mut b, &stop);
                    b.flush();
                    event(match r {
                        Ok(()) => format!("client {peer} disconnected"),
                        Err(e) => format!("client {peer}: {e}"),
                    });
                }));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                event(format!("accept failed: {e}"));
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
    for c in clients {
        let _ = c.join();
    }
}

fn udp_listen(sock: UdpSocket, tx: SyncSender<Vec<NetLine>>, event: &dyn Fn(String), stop: &AtomicBool) {
    let mut buf = vec![0u8; 65_536];
    let mut b = Batcher { tx, batch: Vec::new(), since: Instant::now() };
    while !stop.load(Ordering::Relaxed) {
        match sock.recv_from(&mut buf) {
            Ok((n, peer)) => {
                let arrival_ms = now_ms();
                for line in buf[..n].split(|&c| c == b'\n') {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    if !line.is_empty() && !b.push(NetLine { bytes: line.to_vec(), arrival_ms, peer: peer.to_string() })
                    {
                        return;
                    }
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if !b.flush() {
                    return;
                }
            }
            Err(e) => event(format!("udp receive failed: {e}")),
        }
    }
    b.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::mpsc::sync_channel;

    #[test]
    fn parses_specs() {
        assert_eq!(NetSource::parse("tcp://feed.example:4001"), Some(NetSource::TcpClient("feed.example:4001".into())));
        assert_eq!(NetSource::parse("udp://0.0.0.0"), Some(NetSource::UdpListen("0.0.0.0:10110".into())));
        assert_eq!(NetSource::parse("tcp-listen://127.0.0.1:0"), Some(NetSource::TcpListen("127.0.0.1:0".into())));
        assert_eq!(NetSource::parse("feed.nmea"), None);
    }

    #[test]
    fn client_reconnects_after_the_feed_drops() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap().to_string();
        let (tx, rx) = sync_channel(16);
        let (etx, erx) = sync_channel(64);
        let stop = Arc::new(AtomicBool::new(false));
        let h = spawn(NetSource::TcpClient(addr), tx, etx, stop.clone()).unwrap();
        for n in 0..2 {
            let (mut s, _) = server.accept().unwrap();
            writeln!(s, "line {n}\r").unwrap();
            drop(s);
        }
        let mut got = Vec::new();
        while got.len() < 2 {
            for l in rx.recv_timeout(Duration::from_secs(10)).unwrap() {
                got.push(String::from_utf8(l.bytes).unwrap());
            }
        }
        assert_eq!(got, vec!["line 0", "line 1"]);
        stop.store(true, Ordering::Relaxed);
        h.join().unwrap();
        let events: Vec<String> = erx.try_iter().map(|e| e.what).collect();
        assert!(events.iter().filter(|e| e.starts_with("connected")).count() >= 2, "{events:?}");
    }

    #[test]
    fn udp_datagrams_may_hold_several_lines() {
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = probe.local_addr().unwrap().to_string();
        drop(probe);
        let (tx, rx) = sync_channel(16);
        let (etx, _erx) = sync_channel(64);
        let stop = Arc::new(AtomicBool::new(false));
        let h = spawn(NetSource::UdpListen(addr.clone()), tx, etx, stop.clone()).unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"a\r\nb\r\n", &addr).unwrap();
        let lines: Vec<Vec<u8>> =
            rx.recv_timeout(Duration::from_secs(10)).unwrap().into_iter().map(|l| l.bytes).collect();
        assert_eq!(lines, vec![b"a".to_vec(), b"b".to_vec()]);
        stop.store(true, Ordering::Relaxed);
        h.join().unwrap();
    }
}
