//! Releasability through the CLI: tokens, the policy decision point on every
//! store query, "filter first, then derive", and the audit chain.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn mmsis_in(jsonl: &str) -> Vec<u64> {
    let mut v: Vec<u64> =
        jsonl.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["mmsi"].as_u64().unwrap()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

struct Views {
    area: String,
    latest: String,
    tracks: Vec<String>,
}

fn views(store: &str, token: &str) -> Views {
    let area = ok(&["query", "area", "--store", store, "--bbox", "120,30,135,45"], Some(token));
    let latest = ok(&["query", "latest", "--store", store], Some(token));
    let tracks = PUBLIC
        .iter()
        .chain(&KOREAN)
        .chain(&CANADIAN)
        .chain(&[999999999])
        .map(|m| ok(&["query", "track", "--store", store, "--mmsi", &m.to_string()], Some(token)))
        .collect();
    Views { area, latest, tracks }
}

#[test]
fn partners_see_exactly_what_is_released_to_them() {
    let dir = std::env::temp_dir().join(format!("sealane-rel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store_path: PathBuf = dir.join("s.sqlite");
    let store = store_path.to_str().unwrap();
    let t0 = 1_772_323_200_000;
    nmea(&dir.join("public.nmea"), &PUBLIC, t0, 30, 34.0);
    nmea(&dir.join("kor.nmea"), &KOREAN, t0, 30, 35.0);
    nmea(&dir.join("can.nmea"), &CANADIAN, t0, 30, 36.0);
    let p = |f: &str| dir.join(f).display().to_string();
    ok(&["ingest", "-q", "--store", store, &p("public.nmea")], None);
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), &p("kor.nmea")], None);
    ok(&["ingest", "-q", "--store", store, "--label", &canadian_orcon(), &p("can.nmea")], None);

    // A store without tokens is its owner's: everything, audited as local.
    let all = ok(&["query", "area", "--store", store, "--bbox", "120,30,135,45"], None);
    assert_eq!(mmsis_in(&all).len(), 5);

    // The first token needs no token; later ones need an admin token.
    let token = |args: &[&str], with: Option<&str>| -> String {
        let mut a = vec!["admin", "token", "create", "--store", store];
        a.extend_from_slice(args);
        ok(&a, with).trim().to_string()
    };
    let admin = token(&["--id", "kor-admin", "--nation", "KOR", "--clearance", "SECRET", "--scope", "admin"], None);
    let o = run(
        &["admin", "token", "create", "--store", store, "--id", "x", "--nation", "KOR", "--clearance", "SECRET"],
        None,
    );
    assert!(!o.status.success(), "a second token without an admin token");
    let kor = token(&["--id", "kor-analyst", "--nation", "KOR", "--clearance", "SECRET"], Some(&admin));
    let can =
        token(&["--id", "can-analyst", "--nation", "CAN", "--clearance", "SECRET", "--caveat", "ORCON"], Some(&admin));
    let phl = token(&["--id", "phl-liaison", "--nation", "PHL", "--clearance", "SECRET"], Some(&admin));
    let uncleared = token(&["--id", "kor-clerk", "--nation", "KOR", "--clearance", "UNCLASSIFIED"], Some(&admin));
    let expired = token(&["--id", "old", "--nation", "KOR", "--clearance", "SECRET", "--days", "0"], Some(&admin));

    // Authentication: missing, expired, tampered and wrong-scope tokens are refused, alike.
    let mut tampered = kor.clone();
    tampered.pop();
    tampered.push(if kor.ends_with('0') { '1' } else { '0' });
    for (t, what) in [(None, "missing"), (Some(expired.as_str()), "expired"), (Some(tampered.as_str()), "tampered")] {
        for args in [
            vec!["query", "area", "--store", store, "--bbox", "120,30,135,45"],
            vec!["query", "latest", "--store", store],
            vec!["query", "track", "--store", store, "--mmsi", "440000001"],
            vec!["admin", "token", "list", "--store", store],
        ] {
            let o = run(&args, t);
            assert!(!o.status.success(), "{what} token accepted by {args:?}");
            assert!(String::from_utf8_lossy(&o.stderr).contains("not authenticated"), "{what}: {args:?}");
            assert!(o.stdout.is_empty());
        }
    }
    assert!(
        !run(&["admin", "token", "list", "--store", store], Some(&kor)).status.success(),
        "read scope used as admin"
    );

    // Each subject sees exactly its releasable sources.
    let expect: [(&str, &str, Vec<u32>); 4] = [
        ("KOR", kor.as_str(), [&PUBLIC[..], &KOREAN[..], &CANADIAN[..]].concat()), // CAN-KOR releasable, but ORCON: not held
        ("CAN", can.as_str(), [&PUBLIC[..], &CANADIAN[..]].concat()),
        ("PHL", phl.as_str(), PUBLIC.to_vec()),
        ("uncleared KOR", uncleared.as_str(), PUBLIC.to_vec()),
    ];
    let mut before = Vec::new();
    for (who, t, want) in &expect {
        let v = views(store, t);
        let mut want: Vec<u64> = want.iter().map(|&m| m as u64).collect();
        if *who == "KOR" {
            // KOR holds no ORCON caveat: the Canadian ORCON source stays hidden.
            want.retain(|m| *m != CANADIAN[0] as u64);
        }
        want.sort_unstable();
        assert_eq!(mmsis_in(&v.area), want, "{who} area");
        assert_eq!(mmsis_in(&v.latest), want, "{who} latest");
        for (m, track) in PUBLIC.iter().chain(&KOREAN).chain(&CANADIAN).chain(&[999999999]).zip(&v.tracks) {
            let visible = want.contains(&(*m as u64));
            assert_eq!(!track.is_empty(), visible, "{who} track {m}");
        }
        // Every row shows its marking, and only markings of sources the reader may see.
        for l in v.area.lines() {
            let row: Value = serde_json::from_str(l).unwrap();
            let marking = row["marking"].as_str().unwrap();
            assert!(*who == "KOR" || *who == "CAN" || marking == "UNCLASSIFIED // TLP:CLEAR", "{who}: {marking}");
        }
        // A forbidden vessel and a vessel that does not exist look the same.
        if !want.contains(&(KOREAN[0] as u64)) {
            assert_eq!(v.tracks[2], v.tracks[5], "{who}");
        }
        before.push(v);
    }

    // Adding records a subject cannot read changes nothing in that subject's view.
    nmea(&dir.join("kor2.nmea"), &[440000003], t0 + 600_000, 30, 34.05);
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), &p("kor2.nmea")], None);
    for ((who, t, _), b) in expect.iter().zip(&before) {
        let a = views(store, t);
        if *who == "KOR" {
            assert!(mmsis_in(&a.area).contains(&440000003));
            continue;
        }
        assert_eq!(a.area, b.area, "{who}");
        assert_eq!(a.latest, b.latest, "{who}");
        assert_eq!(a.tracks, b.tracks, "{who}");
    }

    // Exports and derived products (detect over the store) come from the readable part only,
    // and adding unreadable records changes nothing in them.
    let export_mmsis = |t: &str, name: &str| -> Vec<u64> {
        let out = dir.join(name);
        ok(&["export", "--store", store, "--format", "geojson", "--out", out.to_str().unwrap()], Some(t));
        let mut m = Vec::new();
        for day in std::fs::read_dir(&out).unwrap() {
            for f in std::fs::read_dir(day.unwrap().path()).unwrap() {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(f.unwrap().path()).unwrap()).unwrap();
                for feat in v["features"].as_array().unwrap() {
                    m.push(feat["properties"]["mmsi"].as_u64().unwrap());
                }
            }
        }
        m.sort_unstable();
        m.dedup();
        m
    };
    assert_eq!(export_mmsis(&phl, "phl-export"), PUBLIC.iter().map(|&m| m as u64).collect::<Vec<_>>());
    assert!(export_mmsis(&kor, "kor-export").contains(&440000003));
    let phl_events = ok(&["detect", "-q", "--store", store], Some(&phl));
    for l in phl_events.lines() {
        let e: Value = serde_json::from_str(l).unwrap();
        for m in e["mmsi"].as_array().unwrap() {
            assert!(PUBLIC.contains(&(m.as_u64().unwrap() as u32)), "PHL got an event on {m}: {l}");
        }
    }
    // Fusion over the store: a detection on a Korean vessel is explained for Korea, dark for PHL.
    let det = dir.join("sar.csv");
    let time = "2026-03-01T00:10:00Z";
    std::fs::write(
        &det,
        format!(
            "detection_id,time,lat,lon,length_m,heading,confidence,sensor,scene_id,footprint,label\n\
             d1,{time},35.0,126.03,,,0.9,TEST,S1,\"POLYGON ((125.5 34.5, 126.5 34.5, 126.5 35.5, 125.5 35.5, 125.5 34.5))\",\n"
        ),
    )
    .unwrap();
    let fused = |t: &str| -> Value {
        let out = ok(&["fuse", "-q", "--store", store, "--detections", det.to_str().unwrap()], Some(t));
        out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(|v| v["type"] == "sar_match").unwrap()
    };
    assert_eq!(fused(&kor)["mmsi"], 440000001);
    assert_eq!(fused(&phl)["result"], "dark");
    nmea(&dir.join("kor3.nmea"), &[440000004], t0, 30, 34.0001);
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), &p("kor3.nmea")], None);
    assert_eq!(ok(&["detect", "-q", "--store", store], Some(&phl)), phl_events, "PHL's derived events changed");

    // ORCON: Korea sees the Canadian source only once Canada approves its release to Korea;
    // only the originator may approve, and may retract, which hides it from everyone.
    let sources = ok(&["admin", "source", "list", "--store", store], Some(&admin));
    let can_source = sources
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["label"]["originator"]["nation"] == "CAN")
        .unwrap()["id"]
        .to_string();
    let release = ["admin", "source", "release", "--store", store, "--source", &can_source, "--to", "KOR"];
    assert!(!run(&release, Some(&admin)).status.success(), "Korea approved a Canadian release");
    let can_admin =
        token(&["--id", "can-admin", "--nation", "CAN", "--clearance", "SECRET", "--scope", "admin"], Some(&admin));
    ok(&release, Some(&can_admin));
    assert!(mmsis_in(&views(store, &kor).area).contains(&(CANADIAN[0] as u64)));
    assert!(!mmsis_in(&views(store, &phl).area).contains(&(CANADIAN[0] as u64)), "released to KOR only");
    ok(&["admin", "source", "retract", "--store", store, "--source", &can_source], Some(&can_admin));
    for t in [&kor, &can] {
        let v = views(store, t);
        assert!(
            !mmsis_in(&v.area).contains(&(CANADIAN[0] as u64)) && !mmsis_in(&v.latest).contains(&(CANADIAN[0] as u64))
        );
    }

    // Every read and administrative action is in the audit log, and the chain holds ...
    let v = ok(&["audit", "verify", "--store", store], None);
    assert!(v.contains("chain intact"), "{v}");
    let conn = rusqlite::Connection::open(&store_path).unwrap();
    let actions: i64 = conn
        .query_row("SELECT count(*) FROM share_audit WHERE actor = 'phl-liaison' AND action = 'read'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(actions, 3 * 8, "three rounds of eight queries");
    let derived: i64 = conn
        .query_row("SELECT count(*) FROM share_audit WHERE actor = 'phl-liaison' AND action = 'derive'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(derived, 3, "two detect replays and one fusion");
    // ... until someone edits it.
    conn.execute("UPDATE share_audit SET detail = '{\"rows\":0}' WHERE seq = 9", []).unwrap();
    let o = run(&["audit", "verify", "--store", store], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("audit entry 9"), "{}", String::from_utf8_lossy(&o.stderr));

    // Revoking every token does not turn the store back into a personal one.
    let list = ok(&["admin", "token", "list", "--store", store], Some(&admin));
    let mut ids: Vec<String> =
        list.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].to_string()).collect();
    ids.reverse(); // the bootstrap admin token (id 1) last
    for id in &ids {
        ok(&["admin", "token", "revoke", "--store", store, "--id", id], Some(&admin));
    }
    let o = run(&["query", "latest", "--store", store], None);
    assert!(!o.status.success() && o.stdout.is_empty(), "a store whose tokens were all revoked became readable");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oidc_bearer_tokens_are_verified_against_the_jwks() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let dir = std::env::temp_dir().join(format!("sealane-oidc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = dir.join("s.sqlite");
    let store = store_path.to_str().unwrap();
    let t0 = 1_772_323_200_000;
    nmea(&dir.join("public.nmea"), &PUBLIC, t0, 5, 34.0);
    nmea(&dir.join("kor.nmea"), &KOREAN, t0, 5, 35.0);
    ok(&["ingest", "-q", "--store", store, dir.join("public.nmea").to_str().unwrap()], None);
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), dir.join("kor.nmea").to_str().unwrap()], None);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jwt");
    let jwks = data.join("jwks.json");
    let key = EncodingKey::from_rsa_pem(&std::fs::read(data.join("test-rs256-private.pem")).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let sign = |nation: &str, aud: &str, exp: u64| {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some("sealane-test-1".into());
        let claims = serde_json::json!({"sub": format!("{nation}-user"), "aud": aud, "exp": exp, "nation": nation, "clearance": "SECRET"});
        encode(&h, &claims, &key).unwrap()
    };
    let query = |t: &str| {
        run(&["query", "area", "--store", store, "--bbox", "120,30,135,45", "--jwks", jwks.to_str().unwrap()], Some(t))
    };
    let kor = sign("KOR", "sealane", now + 600);
    let o = query(&kor);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(mmsis_in(&String::from_utf8(o.stdout).unwrap()).len(), 4);
    let phl = query(&sign("PHL", "sealane", now + 600));
    assert_eq!(mmsis_in(&String::from_utf8(phl.stdout).unwrap()), PUBLIC.iter().map(|&m| m as u64).collect::<Vec<_>>());
    // Expired, wrong audience, tampered claims, and an unsigned or symmetric-key token: refused alike.
    let mut parts: Vec<String> = kor.split('.').map(String::from).collect();
    let payload = String::from_utf8(base64_url_decode(&parts[1])).unwrap().replace("KOR", "USA");
    parts[1] = base64_url_encode(payload.as_bytes());
    let tampered = parts.join(".");
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &serde_json::json!({"sub": "x", "aud": "sealane", "exp": now + 600, "nation": "KOR", "clearance": "SECRET"}),
        &EncodingKey::from_secret(b"guess"),
    )
    .unwrap();
    for (t, what) in [
        (sign("KOR", "sealane", now - 10), "expired"),
        (sign("KOR", "another-service", now + 600), "wrong audience"),
        (tampered, "tampered"),
        (hs, "HS256"),
        (format!("{}.e30.", kor.split('.').next().unwrap()), "unsigned"),
    ] {
        let o = query(&t);
        assert!(!o.status.success(), "{what} token accepted");
        assert!(String::from_utf8_lossy(&o.stderr).contains("not authenticated"), "{what}");
        assert!(o.stdout.is_empty(), "{what}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Subcommands of `sealane` (and of a group), from its help.
fn subcommands(args: &[&str]) -> Vec<String> {
    let mut a = args.to_vec();
    a.push("--help");
    let help = ok(&a, None);
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

#[test]
fn every_command_that_reads_a_store_needs_a_token_once_tokens_exist() {
    // Enumerated from the binary's own help, so a new command cannot escape: it must
    // either refuse an unauthenticated read of a secured store, or be classified here.
    const NOT_READS: [&str; 9] = [
        "decode",   // reads files, never a store
        "ingest",   // writes a store
        "bench",    // builds its own stores
        "simulate", // writes files
        "eval",     // reads files
        "demo",     // builds its own store
        "admin",    // has its own admin-token check (tested above)
        "audit",    // verifies the chain's integrity; prints no record
        "serve",    // authenticates every request: tests/server.rs walks every endpoint of its router
    ];
    let dir = std::env::temp_dir().join(format!("sealane-enum-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = dir.join("s.sqlite");
    let store = store_path.to_str().unwrap();
    nmea(&dir.join("kor.nmea"), &KOREAN, 1_772_323_200_000, 5, 35.0);
    ok(&["ingest", "-q", "--store", store, "--label", &korean_label(), dir.join("kor.nmea").to_str().unwrap()], None);
    ok(&["admin", "token", "create", "--store", store, "--id", "a", "--nation", "KOR", "--clearance", "SECRET"], None);
    let det = dir.join("sar.csv");
    std::fs::write(&det, "detection_id,time,lat,lon,length_m,heading,confidence,sensor,scene_id,footprint,label\nd1,2026-03-01T00:01:00Z,35.0,126.0,,,0.9,T,S,,\n").unwrap();
    let out = dir.join("out");
    let det_s = det.to_str().unwrap().to_string();
    let out_s = out.to_str().unwrap().to_string();
    let mut checked = 0;
    for cmd in subcommands(&[]) {
        if NOT_READS.contains(&cmd.as_str()) {
            continue;
        }
        let invocations: Vec<Vec<String>> = match cmd.as_str() {
            "query" => subcommands(&["query"])
                .into_iter()
                .map(|q| {
                    let mut a = vec!["query".to_string(), q.clone(), "--store".into(), store.into()];
                    match q.as_str() {
                        "track" => a.extend(["--mmsi".into(), "440000001".into()]),
                        "area" => a.extend(["--bbox".into(), "120,30,135,45".into()]),
                        _ => {}
                    }
                    a
                })
                .collect(),
            "detect" => vec![vec!["detect".into(), "-q".into(), "--store".into(), store.into()]],
            "export" => vec![vec!["export".into(), "--store".into(), store.into(), "--out".into(), out_s.clone()]],
            "fuse" => vec![vec![
                "fuse".into(),
                "-q".into(),
                "--store".into(),
                store.into(),
                "--detections".into(),
                det_s.clone(),
            ]],
            other => panic!("command {other:?} is neither classified as not reading a store nor checked here"),
        };
        for a in invocations {
            let args: Vec<&str> = a.iter().map(String::as_str).collect();
            let o = run(&args, None);
            assert!(!o.status.success(), "{args:?} read a secured store without a token");
            assert!(String::from_utf8_lossy(&o.stderr).contains("not authenticated"), "{args:?}");
            assert!(o.stdout.is_empty(), "{args:?} printed data");
            checked += 1;
        }
    }
    assert!(checked >= 6, "{checked}");
    assert!(!out.exists(), "export wrote files without a token");
    let _ = std::fs::remove_dir_all(&dir);
}
