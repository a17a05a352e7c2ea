//! `sealane serve` over real sockets: every endpoint of the router refuses bad
//! tokens; partners crawling every endpoint and the live stream see only what
//! is released to them; data they cannot read changes nothing they see; OGC
//! API - Features read by GDAL's `ogrinfo` and OWSLib; zones and alert rules.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// A `sealane serve` process, stopped (SIGINT, then waited for) on drop.
struct Serve {
    child: Child,
    addr: String,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(bin())
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("SEALANE_TOKEN")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        let addr =
            line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_default().to_string();
        assert!(!addr.is_empty(), "serve did not start: {line}");
        // Keep draining stderr so the process never blocks on it.
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        Serve { child, addr }
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        http(&self.addr, "GET", path, token, None)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        unsafe_sigint(self.child.id());
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

/// A free local address for a `tcp-listen://` feed.
fn free_addr() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string()
}

/// Connects to serve's feed listener, which starts after its HTTP server.
fn connect_feed(feed: &str) -> TcpStream {
    let started = Instant::now();
    loop {
        match TcpStream::connect(feed) {
            Ok(s) => return s,
            Err(_) if started.elapsed() < Duration::from_secs(10) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("connecting to the feed {feed}: {e}"),
        }
    }
}

fn unsafe_sigint(pid: u32) {
    let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
}

/// A plain HTTP/1.1 request; returns status and body.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(rest) } else { rest.into() };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn token(store: &str, admin: Option<&str>, id: &str, nation: &str, clearance: &str, extra: &[&str]) -> String {
    let mut args = vec!["admin", "token", "create", "--store", store, "--id", id, "--nation", nation];
    args.extend(["--clearance", clearance]);
    args.extend(extra);
    if let Some(a) = admin {
        args.extend(["--token", a]);
    }
    ok(&args, None).trim().lines().last().unwrap().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealane-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const T0: i64 = 1_772_323_200_000;

/// A store with public, Korean and Canadian ORCON tracks and tokens for
/// an admin (CAN), KOR, PHL and an uncleared PHL user.
struct Fixture {
    dir: PathBuf,
    store: String,
    admin: String,
    kor: String,
    phl: String,
    uncleared: String,
}

fn fixture(name: &str, with_korean: bool) -> Fixture {
    let dir = scratch(name);
    let store = dir.join("s.sqlite").to_str().unwrap().to_string();
    // Two vessels meet for hours at sea: an encounter for every audience that reads them.
    nmea_still(&dir.join("public.nmea"), &PUBLIC, T0, 240, 34.5, 124.5);
    nmea(&dir.join("kor.nmea"), &KOREAN, T0, 240, 35.0);
    nmea(&dir.join("can.nmea"), &CANADIAN, T0, 240, 36.0);
    ok(&["ingest", "-q", "--store", &store, dir.join("public.nmea").to_str().unwrap()], None);
    ok(
        &["ingest", "-q", "--store", &store, "--label", &canadian_orcon(), dir.join("can.nmea").to_str().unwrap()],
        None,
    );
    if with_korean {
        add_korean(&dir, &store);
    }
    // Events of a store filled by `ingest` come from replaying it (a live `serve` stores them as it goes).
    ok(&["detect", "-q", "--store", &store], None);
    let admin = token(&store, None, "admin", "CAN", "SECRET", &["--scope", "admin"]);
    let kor = token(&store, Some(&admin), "kor", "KOR", "SECRET", &[]);
    let phl = token(&store, Some(&admin), "phl", "PHL", "SECRET", &[]);
    let uncleared = token(&store, Some(&admin), "uncleared", "PHL", "UNCLASSIFIED", &[]);
    Fixture { dir, store, admin, kor, phl, uncleared }
}

fn add_korean(dir: &Path, store: &str) {
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), dir.join("kor.nmea").to_str().unwrap()], None);
}

/// Concrete paths for every GET endpoint of the API document.
fn crawl_paths(doc: &Value, mmsis: &[u32], event_ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        if !methods.as_object().unwrap().contains_key("get") || path == "/api/live" || path == "/metrics" {
            continue;
        }
        let mut variants = vec![path.clone()];
        let expand = |variants: Vec<String>, name: &str, values: &[String]| -> Vec<String> {
            variants.iter().flat_map(|v| values.iter().map(move |x| v.replace(name, x))).collect()
        };
        if path.contains("{mmsi}") {
            let ms: Vec<String> = mmsis.iter().map(u32::to_string).collect();
            variants = expand(variants, "{mmsi}", &ms);
        }
        if path.contains("{collectionId}") {
            let cs: Vec<String> = ["vessels", "positions", "events", "detections"].map(String::from).to_vec();
            variants = expand(variants, "{collectionId}", &cs);
        }
        if path.contains("{featureId}") {
            let mut ids: Vec<String> = mmsis.iter().map(u32::to_string).collect();
            ids.extend(event_ids.iter().cloned());
            variants = expand(variants, "{featureId}", &ids);
        }
        if path.contains("{id}") {
            let ids = if path.starts_with("/api/events") { event_ids.to_vec() } else { vec!["1".into(), "2".into()] };
            variants = expand(variants, "{id}", &ids);
        }
        out.extend(variants);
    }
    out.sort();
    out
}

/// Drops what legitimately differs between two identical views (clocks).
fn stable(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(mut v) => {
            if let Some(m) = v.as_object_mut() {
                m.remove("timeStamp");
            }
            v.to_string()
        }
        Err(_) => body.to_string(),
    }
}

#[test]
fn every_endpoint_refuses_bad_tokens_and_partners_see_only_what_is_released_to_them() {
    let f = fixture("leak", false);
    let jwks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jwt/jwks.json");
    let expiring = token(&f.store, Some(&f.admin), "brief", "KOR", "SECRET", &["--days", "0.00001"]);
    let serve = Serve::start(&["--store", &f.store, "--jwks", jwks.to_str().unwrap()]);
    let (status, doc) = serve.get("/openapi.json", Some(&f.admin));
    assert_eq!(status, 200, "{doc}");
    let doc: Value = serde_json::from_str(&doc).unwrap();

    // Authentication: every endpoint of the router (its API document), every bad token.
    std::thread::sleep(Duration::from_millis(1200));
    let mut tampered = f.kor.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let wrong_audience = {
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jwt");
        let key = EncodingKey::from_rsa_pem(&std::fs::read(data.join("test-rs256-private.pem")).unwrap()).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("sealane-test-1".into());
        let claims =
            json!({"sub": "k", "aud": "another-service", "exp": now + 600, "nation": "KOR", "clearance": "SECRET"});
        encode(&h, &claims, &key).unwrap()
    };
    let bad: [(Option<&str>, &str); 5] = [
        (None, "missing"),
        (Some("sl_0000"), "unknown"),
        (Some(&tampered), "tampered"),
        (Some(&expiring), "expired"),
        (Some(&wrong_audience), "wrong-audience JWT"),
    ];
    let mut endpoints = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let concrete = path
                .replace("{mmsi}", &PUBLIC[0].to_string())
                .replace("{collectionId}", "vessels")
                .replace("{featureId}", &PUBLIC[0].to_string())
                .replace("{id}", "1");
            let public = op.get("security").is_some_and(|s| s.as_array().is_some_and(Vec::is_empty));
            for (t, what) in &bad {
                let body = json!({"name": "x"});
                let (status, text) = http(&serve.addr, &method.to_uppercase(), &concrete, *t, Some(&body));
                if public {
                    assert_eq!(status, 200, "{method} {path} is public");
                } else {
                    assert_eq!(status, 401, "{method} {path} with a {what} token: {text}");
                    assert!(!text.contains(&PUBLIC[0].to_string()), "{method} {path} leaked data to a {what} token");
                }
            }
            endpoints += 1;
        }
    }
    assert!(endpoints >= 25, "the API document lists {endpoints} endpoints");

    // Korea's own zone and alert rule: records like any other.
    let square = json!({"type": "Polygon", "coordinates": [[[123.0, 33.0], [126.0, 33.0], [126.0, 37.0], [123.0, 37.0], [123.0, 33.0]]]});
    let zone = json!({"type": "Feature", "geometry": square, "properties": {"name": "KOR patrol box"}});
    assert_eq!(http(&serve.addr, "POST", "/api/zones", Some(&f.kor), Some(&zone)).0, 201);
    let rule = json!({"name": "KOR watch", "zone": 1, "types": ["encounter"]});
    assert_eq!(http(&serve.addr, "POST", "/api/alerts", Some(&f.kor), Some(&rule)).0, 201);

    // The leak crawl: every GET endpoint, for each subject.
    let everything: Vec<u32> = PUBLIC.iter().chain(&KOREAN).chain(&CANADIAN).copied().collect();
    let (_, ev) = serve.get("/api/events", Some(&f.admin));
    let event_ids: Vec<String> = serde_json::from_str::<Value>(&ev).unwrap()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!event_ids.is_empty(), "the fixture has events: {ev}");
    let paths = crawl_paths(&doc, &everything, &event_ids);
    let crawl = |tok: &str| -> Vec<(String, u16, String)> {
        paths
            .iter()
            .map(|p| {
                let (s, b) = serve.get(p, Some(tok));
                (p.clone(), s, stable(&b))
            })
            .collect()
    };
    // (subject, MMSIs it must never see, markings it must never see)
    let cases: [(&str, &str, Vec<u32>, Vec<&str>); 3] = [
        ("KOR", &f.kor, vec![], vec![]),
        (
            "PHL",
            &f.phl,
            [KOREAN.as_slice(), &CANADIAN].concat(),
            vec!["REL TO KOR", "ORCON", "CAN-KOR", "KOR patrol", "KOR watch"],
        ),
        (
            "uncleared",
            &f.uncleared,
            [KOREAN.as_slice(), &CANADIAN].concat(),
            vec!["REL TO KOR", "ORCON", "RESTRICTED", "KOR patrol"],
        ),
    ];
    let mut phl_before = Vec::new();
    for (who, tok, hidden, markings) in &cases {
        let views = crawl(tok);
        for (p, status, body) in &views {
            assert!(*status == 200 || *status == 404, "{who} {p}: {status} {body}");
            for m in hidden {
                assert!(!body.contains(&m.to_string()), "{who} sees vessel {m} at {p}: {body}");
            }
            for mk in markings {
                assert!(!body.contains(mk), "{who} sees marking {mk} at {p}");
            }
        }
        if *who == "PHL" {
            // A forbidden record and a missing one look the same.
            let forbidden = serve.get(&format!("/api/vessels/{}", CANADIAN[0]), Some(tok));
            let missing = serve.get("/api/vessels/999999999", Some(tok));
            assert_eq!(forbidden, missing);
            phl_before = views;
        }
    }
    // KOR reads the Canadian ORCON track only once Canada approves its release.
    let (_, kor_latest) = serve.get("/api/vessels", Some(&f.kor));
    assert!(!kor_latest.contains(&CANADIAN[0].to_string()), "ORCON without a release reached KOR");

    // Adding records PHL cannot read changes nothing PHL sees: not the data, not the events, not the counts.
    add_korean(&f.dir, &f.store);
    let (_, kor_after) = serve.get("/api/vessels", Some(&f.kor));
    assert!(kor_after.contains(&KOREAN[0].to_string()), "the Korean track reached KOR");
    std::thread::sleep(Duration::from_secs(6)); // past the derived products' freshness window
    let phl_after = crawl(&f.phl);
    assert_eq!(phl_before.len(), phl_after.len());
    for (a, b) in phl_before.iter().zip(&phl_after) {
        assert_eq!(a, b, "PHL's view of {} changed when Korean data was added", a.0);
    }

    // ORCON release and retraction reach the server at once: Canada releases its track to
    // Korea, then retracts it, and it is gone from every view (its originator's too).
    let sources = ok(&["admin", "source", "list", "--store", &f.store], Some(&f.admin));
    let can_source = sources
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["label"]["originator"]["nation"] == "CAN")
        .unwrap()["id"]
        .to_string();
    ok(&["admin", "source", "release", "--store", &f.store, "--source", &can_source, "--to", "KOR"], Some(&f.admin));
    let (_, kor_released) = serve.get("/api/vessels", Some(&f.kor));
    assert!(kor_released.contains(&CANADIAN[0].to_string()), "the release reached KOR");
    ok(&["admin", "source", "retract", "--store", &f.store, "--source", &can_source], Some(&f.admin));
    for tok in [&f.kor, &f.admin] {
        let (_, latest) = serve.get("/api/vessels", Some(tok));
        assert!(!latest.contains(&CANADIAN[0].to_string()), "a retracted track is still served");
        assert_eq!(serve.get(&format!("/api/vessels/{}/track", CANADIAN[0]), Some(tok)).0, 404);
        let (_, items) = serve.get("/ogc/collections/positions/items?limit=10000", Some(tok));
        assert!(!items.contains(&CANADIAN[0].to_string()));
    }
    drop(serve);
    let _ = std::fs::remove_dir_all(&f.dir);
}

fn python_has(module: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {module}")]).status().is_ok_and(|s| s.success())
}

#[test]
fn ogc_api_features_is_read_by_ogrinfo_and_owslib() {
    let f = fixture("ogc", true);
    let serve = Serve::start(&["--store", &f.store]);
    let base = format!("http://{}/ogc", serve.addr);
    // Paging by hand: limit and next links cover every feature exactly once.
    let mut url = "/ogc/collections/positions/items?limit=100".to_string();
    let mut seen = 0;
    let mut matched;
    loop {
        let (s, body) = serve.get(&url, Some(&f.kor));
        assert_eq!(s, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        matched = v["numberMatched"].as_u64().unwrap();
        seen += v["features"].as_array().unwrap().len() as u64;
        match v["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next") {
            Some(next) => url = next["href"].as_str().unwrap().split(&serve.addr).nth(1).unwrap().to_string(),
            None => break,
        }
    }
    // 240 minutes of 4 readable vessels (public + Korean; the Canadian ORCON track is not released).
    assert_eq!((seen, matched), (960, 960));
    let (s, body) = serve.get(
        "/ogc/collections/positions/items?datetime=..%2F2026-03-01T00%3A09%3A00Z&bbox=120,30,135,45",
        Some(&f.kor),
    );
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["numberMatched"], 40);
    let (s, body) = serve.get("/ogc/collections/positions/items?datetime=yesterday", Some(&f.kor));
    assert_eq!(s, 400);
    assert!(body.contains("datetime"), "{body}");

    if Command::new("ogrinfo").arg("--version").output().is_ok() {
        let header = format!("Authorization: Bearer {}", f.kor);
        let o = Command::new("ogrinfo")
            .args(["--config", "GDAL_HTTP_HEADERS", &header, "-ro", "-so", &format!("OAPIF:{base}"), "vessels"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        assert!(text.contains("Feature Count: 4"), "{text}");
        let o = Command::new("ogrinfo")
            .args(["--config", "GDAL_HTTP_HEADERS", &header, "-ro", "-al", "-q", &format!("OAPIF:{base}"), "positions"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(text.matches("OGRFeature(positions)").count(), 960, "ogrinfo follows the next links");
        assert!(!text.contains(&CANADIAN[0].to_string()));
    } else {
        eprintln!("ogrinfo not installed (Debian gdal-bin): skipping the GDAL half");
    }
    if python_has("owslib") {
        let script = format!(
            "from owslib.ogcapi.features import Features\n\
             w = Features('{base}', headers={{'Authorization': 'Bearer {}'}})\n\
             ids = sorted(c['id'] for c in w.collections()['collections'])\n\
             items = w.collection_items('vessels', limit=100)\n\
             print(ids, len(items['features']), sorted(f['properties']['mmsi'] for f in items['features']))\n",
            f.kor
        );
        let o = Command::new("python3").args(["-c", &script]).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut expected: Vec<u32> = PUBLIC.iter().chain(&KOREAN).copied().collect();
        expected.sort();
        assert_eq!(
            text.trim(),
            format!("['detections', 'events', 'positions', 'vessels'] 4 {expected:?}"),
            "OWSLib's view"
        );
    } else {
        eprintln!("OWSLib not installed (pip install OWSLib): skipping the OWSLib half");
    }
    drop(serve);
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[test]
fn live_stream_is_filtered_by_label_area_and_type_and_zones_and_alerts_are_labelled() {
    let f = fixture("live", true);
    let feed_addr = free_addr();
    let serve = Serve::start(&["--store", &f.store, "--label", &korean_label(), &format!("tcp-listen://{feed_addr}")]);
    let connect = |tok: &str, query: &str| {
        let url = format!("ws://{}/api/live?access_token={tok}{query}", serve.addr);
        let (mut ws, _) = tungstenite::connect(url).unwrap();
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_mut() {
            s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        }
        ws
    };
    let mut kor = connect(&f.kor, "");
    let mut kor_south = connect(&f.kor, "&bbox=120,30,135,34.05");
    let mut phl = connect(&f.phl, "");
    // A bad token never upgrades.
    assert!(tungstenite::connect(format!("ws://{}/api/live?access_token=sl_bad", serve.addr)).is_err());
    std::thread::sleep(Duration::from_millis(300));
    let mut sender = connect_feed(&feed_addr);
    let live = f.dir.join("live.nmea");
    nmea(&live, &[440000009, 440000010], T0 + 86_400_000, 3, 34.0);
    sender.write_all(&std::fs::read(&live).unwrap()).unwrap();
    sender.flush().unwrap();
    let drain = |ws: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>| {
        let mut mmsis = Vec::new();
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            if let Ok(tungstenite::Message::Text(t)) = ws.read() {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "positions" {
                    for p in v["items"].as_array().unwrap() {
                        mmsis.push(p["mmsi"].as_u64().unwrap());
                        assert!(p["rx"].as_i64().unwrap() > 0);
                    }
                }
            }
        }
        mmsis.sort();
        mmsis.dedup();
        mmsis
    };
    assert_eq!(drain(&mut kor), [440000009, 440000010], "KOR gets the Korean feed live");
    assert_eq!(drain(&mut kor_south), [440000009], "the area filter keeps only the southern vessel");
    assert_eq!(drain(&mut phl), Vec::<u64>::new(), "PHL gets nothing of a KOR-only feed");

    // Zones: labelled with the creator's nation, invisible (404) to others, changed only by the originator.
    let square = json!({"type": "Polygon", "coordinates": [[[123.0, 33.0], [126.0, 33.0], [126.0, 37.0], [123.0, 37.0], [123.0, 33.0]]]});
    let zone = json!({"type": "Feature", "geometry": square, "properties": {"name": "KOR patrol box"}});
    let (s, created) = http(&serve.addr, "POST", "/api/zones", Some(&f.kor), Some(&zone));
    assert_eq!(s, 201, "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["properties"]["marking"], "UNCLASSIFIED // REL TO KOR // TLP:AMBER");
    let id = created["id"].as_i64().unwrap();
    let (_, phl_zones) = serve.get("/api/zones", Some(&f.phl));
    assert!(!phl_zones.contains("KOR patrol box"));
    assert!(phl_zones.contains("Korea Strait"), "built-in zones are public");
    let (s, _) = http(&serve.addr, "DELETE", &format!("/api/zones/{id}"), Some(&f.phl), None);
    assert_eq!(s, 404);
    let (s, e) = http(
        &serve.addr,
        "POST",
        "/api/zones",
        Some(&f.kor),
        Some(
            &json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"name": "p"}}),
        ),
    );
    assert_eq!(s, 400);
    assert!(e.contains("geometry"), "{e}");
    // Alert rules: deliveries are the reader's events inside the rule's zone.
    let rule = json!({"name": "encounters in the box", "zone": id, "types": ["encounter", "loitering"]});
    let (s, r) = http(&serve.addr, "POST", "/api/alerts", Some(&f.kor), Some(&rule));
    assert_eq!(s, 201, "{r}");
    let rid = serde_json::from_str::<Value>(&r).unwrap()["id"].as_i64().unwrap();
    let (s, d) = serve.get(&format!("/api/alerts/{rid}/deliveries"), Some(&f.kor));
    assert_eq!(s, 200, "{d}");
    let d: Value = serde_json::from_str(&d).unwrap();
    let delivered = d["features"].as_array().unwrap();
    assert!(!delivered.is_empty(), "the fixture's encounters and loitering are inside the box");
    for e in delivered {
        assert!(["encounter", "loitering"].contains(&e["properties"]["type"].as_str().unwrap()));
        let lat = e["properties"]["lat"].as_f64().unwrap();
        assert!((33.0..37.0).contains(&lat));
    }
    assert_eq!(serve.get(&format!("/api/alerts/{rid}/deliveries"), Some(&f.phl)).0, 404);
    let (s, m) = serve.get("/metrics", Some(&f.kor));
    assert_eq!(s, 200);
    assert!(m.contains("sealane_live_clients 3"), "{m}");
    drop(serve);
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[test]
fn a_client_that_stops_reading_is_downsampled_and_never_slows_ingest() {
    let dir = scratch("slow");
    let store = dir.join("s.sqlite").to_str().unwrap().to_string();
    let feed = free_addr();
    let serve = Serve::start(&["--store", &store, "--live-buffer", "4", &format!("tcp-listen://{feed}")]);
    let url = format!("ws://{}/api/live", serve.addr);
    let (mut stalled, _) = tungstenite::connect(&url).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // 40 bursts of 5,000 reports, 50 ms apart: many more batches than the 4 kept, and
    // far more frames than the socket buffers hold while the client reads nothing.
    let mmsis: Vec<u32> = (0..100).map(|i| 440_100_000 + i).collect();
    let mut sender = connect_feed(&feed);
    for burst in 0..40 {
        let path = dir.join("burst.nmea");
        nmea(&path, &mmsis, T0 + burst * 50 * 60_000, 50, 34.0);
        sender.write_all(&std::fs::read(&path).unwrap()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(sender);
    // Ingest went on: everything reaches the store while the client still reads nothing.
    let started = Instant::now();
    let stored = loop {
        let n = run(&["query", "area", "--store", &store, "--bbox=-180,-90,180,90"], None).stdout;
        let n = String::from_utf8_lossy(&n).lines().count();
        if n >= 200_000 - 100 * 31 || started.elapsed() > Duration::from_secs(120) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    // The reorder window holds the last 30 s of data time until more arrives, the feed has
    // been quiet for 30 s, or serve stops.
    assert!(stored >= 200_000 - 100 * 31, "ingest stalled behind a client that does not read: {stored}");
    // Meanwhile the server skipped batches for it (and says so when it reads again) or, once its
    // socket stayed full past the send timeout, disconnected it.
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = stalled.get_mut() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    let (mut told, mut closed) = (false, false);
    loop {
        match stalled.read() {
            Ok(tungstenite::Message::Text(t)) if t.contains("\"type\":\"dropped\"") => told = true,
            Ok(tungstenite::Message::Close(_)) => closed = true,
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    let (_, m) = serve.get("/metrics", None);
    let metric = |name: &str| -> u64 {
        m.lines().find(|l| l.starts_with(&format!("{name} "))).and_then(|l| l.rsplit(' ').next()?.parse().ok()).unwrap()
    };
    let (skipped, disconnected) = (metric("sealane_live_dropped_total"), metric("sealane_live_clients_dropped_total"));
    assert!(skipped + disconnected > 0, "{m}");
    assert!(told || closed, "the stalled client was neither told of skipped batches nor disconnected");
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A feed that goes quiet (a satellite pass ends) keeps its connection open and
/// sends nothing more: what it sent within the reorder window is still stored,
/// once the feed has been quiet for that long, not held until its next burst.
#[test]
fn a_quiet_feed_has_everything_stored_without_waiting_for_more() {
    let dir = scratch("quiet");
    let store = dir.join("s.sqlite").to_str().unwrap().to_string();
    let feed = free_addr();
    let serve = Serve::start(&["--store", &store, "--window", "2", &format!("tcp-listen://{feed}")]);
    let mmsis: Vec<u32> = (0..50).map(|i| 440_200_000 + i).collect();
    let path = dir.join("pass.nmea");
    // Three reports per vessel a minute apart: the last minute is inside the window.
    nmea(&path, &mmsis, T0, 3, 34.0);
    let mut sender = connect_feed(&feed);
    sender.write_all(&std::fs::read(&path).unwrap()).unwrap();
    let started = Instant::now();
    let stored = loop {
        let out = run(&["query", "area", "--store", &store, "--bbox=-180,-90,180,90"], None).stdout;
        let n = String::from_utf8_lossy(&out).lines().count();
        if n >= 150 || started.elapsed() > Duration::from_secs(30) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(stored, 150, "the last reports of a quiet feed were held back");
    drop(sender);
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}
